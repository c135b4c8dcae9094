// Load events told together: files that finish together (one commit's) go to the dbt trigger in one message.
import type { LoadEvent } from './messages.js';
import type { Bus } from './ports.js';

/** How long the first event of a message waits for company, and the most events one message carries. */
export const EVENT_LIST = { windowMs: 50, maxEvents: 500 } as const;

export interface EventTeller {
  /** Resolves once the message holding `event` is published: the caller may then write its round finished. */
  tell(event: LoadEvent): Promise<void>;
}

interface Waiting {
  event: LoadEvent;
  told: () => void;
  failed: (error: unknown) => void;
}

/**
 * Each event waits at most `windowMs` for others. One alone goes as a plain load event; several go as
 * `{ v: 1, events }`, which the dbt trigger folds into its state in one write. A failed publish fails every caller
 * whose event it held: each retries on its own, and a repeat is no news to the trigger.
 */
export function eventTeller(bus: Bus, topic: string, options: { windowMs: number; maxEvents: number } = EVENT_LIST): EventTeller {
  let pending: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const [first] = batch;
    const message = batch.length === 1 ? first!.event : { v: 1, events: batch.map((w) => w.event) };
    const attributes: Record<string, string> = batch.length === 1 ? { status: first!.event.status, table: first!.event.table } : { events: String(batch.length) };
    bus.publish(topic, Buffer.from(JSON.stringify(message)), attributes).then(
      () => batch.forEach((w) => w.told()),
      (error: unknown) => batch.forEach((w) => w.failed(error)),
    );
  };

  return {
    tell: (event) =>
      new Promise<void>((told, failed) => {
        pending.push({ event, told, failed });
        if (pending.length >= options.maxEvents) flush();
        else timer ??= setTimeout(flush, options.windowMs);
      }),
  };
}
