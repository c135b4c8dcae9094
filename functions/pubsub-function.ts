// A use case as a Pub/Sub-triggered function: decode the CloudEvent, run it, resolve (ack) or throw (retry).
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Topology } from '../lib/config/index.js';
import { MalformedMessageError, deadLetter, decodePubSubEvent, type Bus, type BusMessage, type Logger } from '../lib/pipeline/index.js';

export interface FunctionDeps {
  bus: Bus;
  topology: Topology;
  log: Logger;
}

/**
 * functions-framework runs each request inside a `node:domain`, and a domain marks every promise and callback created
 * in it. In the loader that was a sixth of its CPU per file (1,000 small files: the domain's hooks took 11 of 79
 * busy seconds of its main thread, and the busy total fell to 53 s without them). The use case runs outside it: its
 * result or failure still reaches the framework through the returned promise (resolve acks, reject retries); an
 * exception that escapes every promise goes to the framework's process handlers, which answer 500 and restart.
 */
function leaveRequestDomain(): void {
  (process as { domain?: { exit(): void } | null }).domain?.exit();
}

/**
 * The handler functions-framework calls. A push that carries no Pub/Sub message cannot be retried into one: it is
 * dead-lettered with its content, and acked.
 */
export function pubsubFunction(name: string, deps: FunctionDeps, handle: (message: BusMessage) => Promise<unknown>) {
  return async (event: CloudEvent<unknown>): Promise<void> => {
    leaveRequestDomain();
    const message = decodePubSubEvent(event);
    if (message !== undefined) {
      await handle(message);
      return;
    }
    const raw = JSON.stringify(event).slice(0, 100_000);
    const asMessage: BusMessage = { data: Buffer.from(raw), attributes: {}, messageId: event.id ?? '', publishTime: null };
    await deadLetter(deps, asMessage, new MalformedMessageError('not a Pub/Sub messagePublished event', raw), name);
  };
}
