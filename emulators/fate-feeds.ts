// Listens where fates are told: the load-events and dead-letter watch subscriptions (pull) and the dbt run records.
import type { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { BATCH_COLLECTIONS } from '../lib/adapters/dbt/firestore-batch-store.js';
import { validateLoadEvents, type LoadEvent } from '../lib/pipeline/index.js';
import type { DbtRunRecord } from '../lib/transform/index.js';
import { WATCH_SUBSCRIPTIONS } from './stack.js';
import type { DeadLetter } from './fate-board.js';

export interface FeedHandlers {
  event(event: LoadEvent, atMs: number): void;
  deadLetter(message: DeadLetter): void;
  run(run: DbtRunRecord): void;
  /** A message that is not a load event, or a listener that broke: said, never fatal. */
  problem(text: string): void;
}

export interface FateFeeds {
  close(): Promise<void>;
}

function listen(subscription: Subscription, onMessage: (message: Message) => void, problem: (text: string) => void): void {
  subscription.on('message', (message: Message) => {
    // Acked first: a watcher that cannot read a message must not make the emulator redeliver it forever.
    message.ack();
    onMessage(message);
  });
  subscription.on('error', (error: Error) => problem(`${subscription.name}: ${error.message}`));
}

export function openFateFeeds(
  clients: { pubsub: PubSub; firestore: Firestore; collectionPrefix?: string },
  handlers: FeedHandlers,
): FateFeeds {
  const events = clients.pubsub.subscription(WATCH_SUBSCRIPTIONS.loadEvents);
  const dead = clients.pubsub.subscription(WATCH_SUBSCRIPTIONS.deadLetter);
  listen(
    events,
    (message) => {
      const atMs = Date.now();
      try {
        // One file's event, or the events of files that finished together (`{ v: 1, events }`).
        for (const event of validateLoadEvents(JSON.parse(message.data.toString('utf8')))) handlers.event(event, atMs);
      } catch (error) {
        handlers.problem(`a load event could not be read (${(error as Error).message}): ${message.data.toString('utf8').slice(0, 300)}`);
      }
    },
    handlers.problem,
  );
  listen(dead, (message) => handlers.deadLetter({ data: message.data, attributes: { ...message.attributes } }), handlers.problem);

  let first = true;
  const runs = clients.firestore.collection(`${clients.collectionPrefix ?? ''}${BATCH_COLLECTIONS.runs}`);
  const unsubscribe = runs.onSnapshot(
    (snapshot) => {
      for (const change of snapshot.docChanges()) {
        if (change.type === 'removed') continue;
        const run = change.doc.data() as DbtRunRecord;
        // Runs that ended before this watcher started belong to an earlier session.
        if (first && run.status !== 'running') continue;
        handlers.run(run);
      }
      first = false;
    },
    (error) => handlers.problem(`dbt run records: ${error.message}`),
  );

  return {
    close: async () => {
      unsubscribe();
      await Promise.all([events.close(), dead.close()]);
    },
  };
}
