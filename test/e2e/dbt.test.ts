// End to end on the full local stack with dbtTrigger: upload the sample batch, watch the dbt run records in Firestore,
// query the models in the DuckDB file the loader and dbt take turns on.
import { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WATCH_SUBSCRIPTIONS, pubsubClient, startStack, storageClient, type Stack } from '../../emulators/stack.js';
import { FirestoreBatchStore } from '../../lib/adapters/dbt/index.js';
import { validateLoadEvents } from '../../lib/pipeline/index.js';
import type { LoadEvent } from '../../lib/pipeline/index.js';
import type { DbtRunRecord } from '../../lib/transform/index.js';
import { queryDuckDb } from '../integration/dbt/samples.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const SAMPLES = 'test/fixtures/samples';
/** The local runner runs dbt in the repository's dbt/ project, which logs here. */
const DBT_LOG = 'dbt/logs/dbt.log';
let stack: Stack;
let dir: string;
let db: string;
let storage: Storage;
let pubsub: PubSub;
let firestore: Firestore;
let store: FirestoreBatchStore;
let watch: Subscription;
let deadWatch: Subscription;
const events: LoadEvent[] = [];
const deadLetters: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-e2e-dbt-'));
  db = join(dir, 'e2e.duckdb');
  stack = await startStack({
    freePorts: true,
    functions: ['matcher', 'loader', 'dbtTrigger'],
    // DEBUG: the trigger logs each decision not to run (`batch_not_run`), which is what "no run" waits for.
    functionEnv: { DUCKDB_PATH: db, TABLE_CONFIG_PATH: 'config/tables', BATCH_CONFIG_PATH: 'config/batches', LANDFALL_LEASE_MS: '20000', LANDFALL_LOG_LEVEL: 'DEBUG' },
    workDir: join(dir, 'stack'),
    log: () => {},
  });
  storage = storageClient(stack.project, stack.ports.storage);
  pubsub = pubsubClient(stack.project, stack.ports.pubsub);
  firestore = new Firestore({ projectId: stack.project, host: stack.env.FIRESTORE_EMULATOR_HOST, ssl: false });
  store = new FirestoreBatchStore(firestore);
  watch = pubsub.subscription(WATCH_SUBSCRIPTIONS.loadEvents);
  watch.on('message', (m: Message) => {
    events.push(...validateLoadEvents(JSON.parse(m.data.toString())));
    m.ack();
  });
  deadWatch = pubsub.subscription(WATCH_SUBSCRIPTIONS.deadLetter);
  deadWatch.on('message', (m: Message) => {
    deadLetters.push(`${JSON.stringify(m.attributes)} ${m.data.toString()}`);
    m.ack();
  });
});

after(async () => {
  await Promise.allSettled([watch?.close(), deadWatch?.close()]);
  await Promise.allSettled([pubsub?.close(), firestore?.terminate()]);
  await stack?.stop();
  if (process.env.KEEP_E2E_DIR) console.error(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
});

async function upload(...names: string[]): Promise<void> {
  const { landing } = stack.topology.buckets;
  for (const name of names) {
    const text = await readFile(join(SAMPLES, name), 'utf8');
    await storage.bucket(landing.name).file(`${landing.prefix}${name.slice(name.lastIndexOf('/') + 1)}`).save(text, { resumable: false });
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (logs: ${stack.logPath('loader')}, ${stack.logPath('dbtTrigger')})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const loadedEvents = (table: string, batchKey: string) => events.filter((e) => e.table === table && e.batchKey === batchKey && e.status === 'loaded');
const finishedRuns = async (): Promise<DbtRunRecord[]> => (await store.listRuns(50)).filter((r) => r.status !== 'running');
/** A query once neither the loader nor dbt has the file (each holds it only for its own work). */
async function query(sql: string): Promise<Record<string, unknown>[]> {
  return until('the DuckDB file to be free', () => queryDuckDb(db, sql).catch((error: unknown) => {
    if (/lock/i.test(String(error))) return undefined;
    throw error;
  }), 30_000);
}

/** The trigger's `batch_not_run` lines for `batchKey` written after `fromByte` of its log. */
async function notRun(batchKey: string, fromByte = 0): Promise<Record<string, unknown>[]> {
  const log = (await readFile(stack.logPath('dbtTrigger'))).subarray(fromByte).toString('utf8');
  return log.split('\n').filter((l) => l.includes('"event":"batch_not_run"')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.batchKey === batchKey);
}

describe('dbt after batches, on the local stack', () => {
  it('half the members of a batch key: loaded, and no dbt run', async () => {
    await upload('instruments_20240115.csv', 'trades_20240115.go', 'trades_20240115.csv');
    await until('instruments and trades loaded', () => (loadedEvents('raw_instruments', '20240115').length && loadedEvents('raw_trades', '20240115').length ? true : undefined));
    // Both events handled (in one message or two, as the loader told them) and a decision not to run: only then does
    // "no run" mean something.
    const decisions = await until('the trigger to decide on both events', async () => {
      const members = (await store.listStates()).find((s) => s.batchKey === '20240115')?.members ?? {};
      const lines = await notRun('20240115');
      return members.raw_instruments && members.raw_trades && lines.length >= 1 ? lines : undefined;
    });
    assert.ok(decisions.every((d) => /raw_positions|raw_eod_prices/.test(String(d.reason))), JSON.stringify(decisions));
    assert.deepEqual(await store.listRuns(10), []);
  });

  it('every member: one dbt run with the model rows; duplicate load events change nothing', async () => {
    await upload('positions_20240115.ctl', 'positions_20240115.csv', 'eod_prices_20240115.csv');
    const [run] = await until('the first dbt run', async () => ((await finishedRuns()).length > 0 ? finishedRuns() : undefined));
    assert.equal(run?.status, 'success', run?.logExcerpt);
    assert.equal(run?.batch, 'daily');
    assert.equal(run?.batchKey, '20240115');
    assert.ok(run?.modelsBuilt.includes('model.landfall_example.position_values'));
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM position_values'), [{ n: 8 }]);

    // Pub/Sub may deliver any event again: publish every load event once more, as a redelivery would.
    const topic = pubsub.topic(stack.topology.topics.loadEvents);
    const logBefore = (await readFile(stack.logPath('dbtTrigger'))).length;
    const again = events.filter((e) => e.batchKey === '20240115');
    await Promise.all(again.map((e) => topic.publishMessage({ data: Buffer.from(JSON.stringify(e)) })));
    // Each copy handled, each deciding there is nothing new to run.
    await until('every copy handled', async () => ((await notRun('20240115', logBefore)).length >= again.length ? true : undefined));
    assert.equal((await store.listRuns(10)).length, 1);
  });

  it('a reloaded member runs dbt once more; loads arriving while dbt runs all load', async () => {
    const before = events.length;
    const dbtLogStart = (await readFile(DBT_LOG, 'utf8').catch(() => '')).length;
    // A new generation of positions (with its go file, which travelled to the archive with the first one) replaces
    // its rows (reupload: replace) under a new load id.
    await upload('positions_20240115.ctl', 'positions_20240115.csv');
    await until('the second dbt run to start', async () => ((await store.listRuns(10)).some((r) => r.seq === 2) ? true : undefined));
    // dbt opens the file for its first node and keeps it to the end. Watching its log, not probing the file, leaves the
    // file to dbt (a probe would itself be a conflicting lock).
    await until('dbt to start building', async () => {
      const log = await readFile(DBT_LOG, 'utf8').catch(() => '');
      // dbt rotates its log when it grows large: then the new part is the whole file.
      return log.slice(log.length < dbtLogStart ? 0 : dbtLogStart).includes(' START ') ? true : undefined;
    });
    // While dbt runs, the next business date's trades land. Whether the load meets dbt's lock depends on timing: it
    // then waits in-process for the file (test/integration/duckdb/lock-wait.test.ts proves the wait, and
    // test/integration/dbt/local-runner.test.ts the redelivery when a wait runs out); either way it must load.
    await upload('drift/trades_20240116.go', 'drift/trades_20240116.csv');
    const uploadedAt = Date.now();
    const second = await until('the second dbt run to finish', async () => (await finishedRuns()).find((r) => r.seq === 2));
    assert.equal(second.status, 'success', second.logExcerpt);
    assert.ok(Date.parse(second.finishedAt!) > uploadedAt, 'the trades file arrived while the dbt run was still going');
    await until('the loads made during the run', () => (loadedEvents('raw_trades', '20240116').length ? true : undefined));
    const later = events.slice(before);
    assert.deepEqual(later.filter((e) => e.status !== 'loaded' && e.status !== 'skipped'), []);
    assert.deepEqual(deadLetters, []);
    assert.deepEqual(await query("SELECT count(*)::INTEGER AS n FROM raw_trades WHERE trade_date = '2024-01-16'"), [{ n: 5 }]);
  });
});
