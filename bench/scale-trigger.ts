// The dbt trigger during a bench's burst: the trigger's own code (handleLoadEvent and the Firestore batch store) fed
// live from the stack's load-events topic, on the stack's Firestore emulator, counting each document's writes.
//
// Why in this process and not the stack's dbtTrigger function: the function refuses to start against the BigQuery
// emulator (DBT_ON_BIGQUERY_EMULATOR), and on DuckDB it would run dbt on the bench's tables. The handler code, the
// store and the database are the real ones; only the runner records instead of running dbt (as bench/trigger-burst.ts
// does). The seam: if the function ever reports its own writes, `startTriggerTap` is the one thing to replace.
import { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { setTimeout as sleep } from 'node:timers/promises';
import { FirestoreBatchStore } from '../lib/adapters/dbt/index.js';
import { validateLoadEvents } from '../lib/pipeline/index.js';
import type { Bus, BusMessage } from '../lib/pipeline/index.js';
import { handleLoadEvent } from '../lib/transform/index.js';
import type { DbtRunner, DbtRunRequest, DbtTriggerDeps, TriggerBatch } from '../lib/transform/index.js';
import { pubsubClient, type Stack } from '../emulators/stack.js';
import { countingFirestore, documentRates } from './firestore-writes.js';

export interface TriggerFigures {
  /** Handlers at once: the topology's dbtTrigger maxInstances × concurrency. */
  handlers: number;
  messages: number;
  /** Load events those messages carried (a loader that commits files together tells them in one message). */
  events: number;
  /** Messages whose handler threw (Pub/Sub would deliver them again; here they are nacked). */
  handlerErrors: number;
  busiestDoc: string | undefined;
  busiestDocWrites: number;
  /** The busiest document's most writes in any one second (server write times), and its writes per second overall. */
  peakWritesPerSecond: number;
  sustainedWritesPerSecond: number;
  commits: number;
  /** Commits refused to a lost compare-and-set race. */
  refusedCommits: number;
  dbtRuns: number;
}

export interface TriggerTap {
  /** Waits for `events` load events (or `timeoutMs`) and the handlers in flight, then says what the documents took. */
  stop(events: number, timeoutMs: number): Promise<TriggerFigures>;
}

const SUBSCRIPTION = 'landfall-bench-dbt-trigger-tap';

function eventCount(data: Buffer): number {
  try {
    return validateLoadEvents(JSON.parse(data.toString())).length;
  } catch {
    return 0;
  }
}

/** One batch of every bench table, all_tables: the burst's one batch key completes it. */
export function benchBatch(tables: readonly string[]): TriggerBatch {
  return { name: 'bench', tables, select: 'tag:bench', policy: { kind: 'all_tables' }, perFolder: false };
}

function deps(stack: Stack, db: Firestore, batch: TriggerBatch, runs: DbtRunRequest[]): DbtTriggerDeps {
  const runner: DbtRunner = {
    run: async (request) => {
      runs.push(request);
      const at = new Date().toISOString();
      return { status: 'success', startedAt: at, finishedAt: at, modelsBuilt: [], modelsFailed: [], logExcerpt: '' };
    },
  };
  const bus: Bus = { publish: async () => 'bench' };
  const { dbtTrigger } = stack.topology.functions;
  const timeoutMs = dbtTrigger.timeoutSeconds * 1000;
  return {
    batches: [batch],
    store: new FirestoreBatchStore(db, { collectionPrefix: 'bench-' }),
    runner,
    bus,
    topology: stack.topology,
    log: () => undefined,
    leaseMs: timeoutMs + 60_000,
    maxWaitMs: timeoutMs / 2,
  };
}

/** Subscribes before the burst (so every load event is seen) and handles each message as the function would. */
export async function startTriggerTap(stack: Stack, tables: readonly string[]): Promise<TriggerTap> {
  // The client reads the emulator's address from the environment, as the functions do.
  process.env.FIRESTORE_EMULATOR_HOST = stack.env.FIRESTORE_EMULATOR_HOST;
  const firestore = new Firestore({ projectId: stack.project, ignoreUndefinedProperties: true });
  const { db, log } = countingFirestore(firestore);
  const runs: DbtRunRequest[] = [];
  const triggerDeps = deps(stack, db, benchBatch(tables), runs);
  const { maxInstances, concurrency } = stack.topology.functions.dbtTrigger;
  const handlers = maxInstances * concurrency;
  const pubsub: PubSub = pubsubClient(stack.project, stack.ports.pubsub);
  const [subscription] = await pubsub.topic(stack.topology.topics.loadEvents).createSubscription(SUBSCRIPTION, { ackDeadlineSeconds: 600 });
  subscription.setOptions({ flowControl: { maxMessages: handlers, allowExcessMessages: false } });
  const inFlight = new Set<Promise<void>>();
  let messages = 0;
  let events = 0;
  let handlerErrors = 0;
  subscription.on('message', (m: Message) => {
    messages++;
    events += eventCount(m.data);
    const message: BusMessage = { data: m.data, attributes: m.attributes, messageId: m.id, publishTime: m.publishTime.toISOString() };
    const handled = handleLoadEvent(triggerDeps, message).then(
      () => m.ack(),
      () => {
        handlerErrors++;
        m.nack();
      },
    );
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  subscription.on('error', () => {});
  return {
    async stop(expected, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (events < expected && Date.now() < deadline) await sleep(100);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await subscription.close();
      await pubsub.close();
      // Filed events are written once and deleted once by the fold (bench/trigger-burst.ts): the key's state is the hot one.
      const rates = documentRates(log);
      const busiest = rates.find((r) => !r.path.includes('/filed-events/')) ?? rates[0];
      await firestore.terminate();
      return {
        handlers,
        messages,
        events,
        handlerErrors,
        busiestDoc: busiest?.path,
        busiestDocWrites: busiest?.writes ?? 0,
        peakWritesPerSecond: busiest?.peakPerSecond ?? 0,
        sustainedWritesPerSecond: busiest?.sustainedPerSecond ?? 0,
        commits: log.commits,
        refusedCommits: log.refused,
        dbtRuns: runs.length,
      };
    },
  };
}
