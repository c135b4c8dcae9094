// The dbt trigger in a burst: N load events of one batch key through K handlers at once (the real handleLoadEvent and
// FirestoreBatchStore on a real Firestore), counting the writes each document took. Used by its test and by benches;
// `node --import tsx bench/trigger-burst.ts --events 500 --handlers 5` runs it on an emulator of its own.
import type { Firestore } from '@google-cloud/firestore';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FirestoreBatchStore } from '../lib/adapters/dbt/index.js';
import { loadTopology } from '../lib/config/index.js';
import type { Bus, BusMessage, LoadEvent } from '../lib/pipeline/index.js';
import { handleLoadEvent } from '../lib/transform/index.js';
import type { BatchKeyState, DbtRunner, DbtRunRequest, DbtTriggerDeps, TriggerBatch } from '../lib/transform/index.js';
import { countingFirestore, documentRates, type DocumentRate } from './firestore-writes.js';

export const BURST_BATCH: TriggerBatch = { name: 'burst', tables: ['raw_a', 'raw_b', 'raw_c'], select: 'tag:burst', policy: { kind: 'all_tables' }, perFolder: false };
export const BURST_KEY = '20261201';

export interface TriggerBurstOptions {
  /** A client of the database to use (an emulator's); the burst writes under a collection prefix of its own. */
  firestore: Firestore;
  /** Load events in the burst (at least 3). */
  events: number;
  /** Handlers at once: function instances × concurrency. */
  handlers: number;
  /** Load events per message (a list, `{ v: 1, events }`, as a loader committing many files at once tells them); 1 by default. */
  eventsPerMessage?: number;
}

export interface TriggerBurstResult {
  events: number;
  handlers: number;
  eventsPerMessage: number;
  /** First event handed out → last handler returned. */
  elapsedMs: number;
  eventsPerSecond: number;
  /** The busiest document's peak writes in any one second, and its writes per second over the burst. */
  writesPerSecondBusiestDoc: number;
  sustainedWritesPerSecondBusiestDoc: number;
  busiestDoc: DocumentRate;
  /** The most writes any one filed event's document took (its filing and its deletion by the fold: 2). */
  filedEventMaxWrites: number;
  /** Commits refused because another handler wrote the document first (each one a retry). */
  transactionsRetried: number;
  commits: number;
  /** The batch key's state after the burst, and the dbt runs the burst started. */
  state: BatchKeyState | undefined;
  runs: DbtRunRequest[];
  /** The burst's own events: the newest load of each member table, and the failed one. */
  latest: Record<string, LoadEvent>;
  /** Handles one more event of this burst's key with the same handler code and store (the burst's tail). */
  handle(event: LoadEvent): Promise<void>;
}

/** The burst: loads of raw_a and raw_b in many folders (one key), and one failed file of raw_c among them. */
export function burstEvents(count: number, startMs = Date.now()): LoadEvent[] {
  const failedAt = Math.floor(count / 2);
  return Array.from({ length: count }, (_, i) => {
    const table = i === failedAt ? 'raw_c' : i % 2 === 0 ? 'raw_a' : 'raw_b';
    const path = `f${String(i).padStart(5, '0')}/${table.slice(4)}_${BURST_KEY}.csv`;
    const event: LoadEvent = {
      v: 1, table, batchKey: BURST_KEY, loadId: randomUUID(), status: i === failedAt ? 'failed' : 'loaded', rows: i === failedAt ? 0 : 10,
      file: `gs://landing/incoming/${path}#1`, path, folder: path.slice(0, path.indexOf('/') + 1), finishedAt: new Date(startMs + i).toISOString(),
    };
    if (event.status === 'failed') event.error = `${path}: record_count is 10 but the file has 9 rows`;
    return event;
  });
}

function message(events: LoadEvent[]): BusMessage {
  const body = events.length === 1 ? events[0] : { v: 1, events };
  return { data: Buffer.from(JSON.stringify(body)), attributes: {}, messageId: randomUUID(), publishTime: new Date().toISOString() };
}

/** `items` in consecutive groups of `size`. */
const groups = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Runs the burst and says what each document took. dbt is not run: the runner records the request and succeeds. */
export async function measureTriggerBurst(options: TriggerBurstOptions): Promise<TriggerBurstResult> {
  const { db, log } = countingFirestore(options.firestore);
  const store = new FirestoreBatchStore(db, { collectionPrefix: `burst-${randomUUID().slice(0, 8)}-` });
  const runs: DbtRunRequest[] = [];
  const runner: DbtRunner = {
    run: async (request) => {
      runs.push(request);
      const at = new Date().toISOString();
      return { status: 'success', startedAt: at, finishedAt: at, modelsBuilt: [], modelsFailed: [], logExcerpt: '' };
    },
  };
  const bus: Bus = {
    publish: async (topic: string) => {
      throw new Error(`the burst publishes nothing, yet something went to ${topic}`);
    },
  };
  const topology = await loadTopology('config/topology.yaml', { project: 'trigger-burst' });
  const deps: DbtTriggerDeps = { batches: [BURST_BATCH], store, runner, bus, topology, log: () => undefined, leaseMs: 600_000, maxWaitMs: 30_000 };

  const events = burstEvents(options.events);
  const queue = groups(events, options.eventsPerMessage ?? 1).map(message);
  await store.listStates(); // the client's channel opens before the clock starts
  const started = Date.now();
  await Promise.all(Array.from({ length: options.handlers }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await handleLoadEvent(deps, next);
  }));
  const elapsedMs = Date.now() - started;

  const rates = documentRates(log);
  // A filed event is written once and deleted by the fold that takes it: two writes in all, never a hot spot. The
  // busiest document is the busiest of the others (the key's state).
  const filed = rates.filter((r) => r.path.includes('/filed-events/'));
  const busiest = rates.find((r) => !r.path.includes('/filed-events/')) ?? rates[0]!;
  const latest: Record<string, LoadEvent> = {};
  for (const event of events) latest[event.status === 'failed' ? 'failed' : event.table] = event;
  const states = await store.listStates();
  return {
    events: options.events,
    handlers: options.handlers,
    eventsPerMessage: options.eventsPerMessage ?? 1,
    elapsedMs,
    eventsPerSecond: options.events / (elapsedMs / 1000),
    writesPerSecondBusiestDoc: busiest.peakPerSecond,
    sustainedWritesPerSecondBusiestDoc: busiest.sustainedPerSecond,
    busiestDoc: busiest,
    filedEventMaxWrites: Math.max(0, ...filed.map((r) => r.writes)),
    transactionsRetried: log.refused,
    commits: log.commits,
    state: states.find((s) => s.batchKey === BURST_KEY),
    runs,
    latest,
    handle: async (event) => void (await handleLoadEvent(deps, message([event]))),
  };
}

async function main(): Promise<void> {
  const options = { events: { type: 'string', default: '500' }, handlers: { type: 'string', default: '5' }, 'events-per-message': { type: 'string', default: '1' } } as const;
  const { values } = parseArgs({ options });
  const [{ Firestore }, { startFirestore }] = await Promise.all([import('@google-cloud/firestore'), import('../test/integration/pipeline/emulators.js')]);
  process.env.METADATA_SERVER_DETECTION = 'none';
  const emulator = await startFirestore();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  const firestore = new Firestore({ projectId: 'trigger-burst', ignoreUndefinedProperties: true });
  try {
    const result = await measureTriggerBurst({ firestore, events: Number(values.events), handlers: Number(values.handlers), eventsPerMessage: Number(values['events-per-message']) });
    const { state, runs, latest, handle, ...figures } = result;
    console.log(JSON.stringify({ ...figures, runs: runs.length, members: state && Object.fromEntries(Object.entries(state.members).map(([t, m]) => [t, m.status])) }, null, 2));
  } finally {
    await firestore.terminate();
    await emulator.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
