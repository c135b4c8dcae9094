// The dbt trigger use case on the Firestore and Pub/Sub emulators with the real dbt and the real loader's DuckDB file.
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Message } from '@google-cloud/pubsub';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FirestoreBatchStore, LocalDbtRunner } from '../../../lib/adapters/dbt/index.js';
import { PubSubBus } from '../../../lib/adapters/pubsub/index.js';
import { loadTopology } from '../../../lib/config/index.js';
import type { LoadOutcome } from '../../../lib/load/index.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lib/pipeline/index.js';
import type { BusMessage } from '../../../lib/pipeline/index.js';
import { formatDbtStatus, handleLoadEvent, readDbtStatus } from '../../../lib/transform/index.js';
import type { BatchOutcome, DbtTriggerDeps, TriggerBatch } from '../../../lib/transform/index.js';
import { startFirestore, startPubSub, type Emulator } from '../pipeline/emulators.js';
import { SAMPLES, SAMPLE_FILES, loadSamples, queryDuckDb } from './samples.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const project = 'dbt-trigger-test';
const DAILY: TriggerBatch = {
  name: 'daily',
  tables: ['raw_instruments', 'raw_trades', 'raw_positions', 'raw_eod_prices'],
  select: 'tag:daily',
  policy: { kind: 'all_tables' },
  perFolder: false,
};
const INTRADAY: TriggerBatch = { name: 'intraday', tables: ['raw_trades'], select: 'stg_trades', policy: { kind: 'each_load', debounceSeconds: 1 }, perFolder: false };

let emulators: Emulator[] = [];
let firestore: Firestore;
let pubsub: PubSub;
let dir: string;
let db: string;
let deps: DbtTriggerDeps;
let store: FirestoreBatchStore;
const loads = new Map<string, LoadOutcome>();
let messages = 0;

/** The load event the loader would publish for an outcome, as a push delivery with a fresh message id. */
function eventMessage(outcome: LoadOutcome, batchKey: string, messageId = `msg-${++messages}`): BusMessage {
  const event = { v: 1, table: outcome.table, batchKey, loadId: outcome.loadId, status: outcome.status, rows: outcome.rows, file: `gs://landing/incoming/${outcome.file}#1`, finishedAt: new Date().toISOString() };
  return { data: Buffer.from(JSON.stringify(event)), attributes: {}, messageId, publishTime: new Date().toISOString() };
}

const runsOf = (outcomes: BatchOutcome[][]) => outcomes.flat().flatMap((o) => o.runs);

before(async () => {
  emulators = await Promise.all([startFirestore(), startPubSub(project)]);
  process.env.FIRESTORE_EMULATOR_HOST = emulators[0]!.host;
  process.env.PUBSUB_EMULATOR_HOST = emulators[1]!.host;
  firestore = new Firestore({ projectId: project, ignoreUndefinedProperties: true });
  pubsub = new PubSub({ projectId: project });
  const topology = await loadTopology('config/topology.yaml', { project });
  const [deadLetter] = await pubsub.createTopic(topology.topics.deadLetter);
  await deadLetter.createSubscription('dead-letter-watch');
  dir = await mkdtemp(join(tmpdir(), 'landfall-dbt-trigger-'));
  db = join(dir, 'warehouse.duckdb');
  for (const outcome of await loadSamples(db, SAMPLE_FILES.map((f) => join(SAMPLES, f)))) loads.set(outcome.table, outcome);
  store = new FirestoreBatchStore(firestore, { collectionPrefix: 'it-' });
  deps = {
    batches: [DAILY],
    store,
    runner: new LocalDbtRunner({ duckdbPath: db }),
    bus: new PubSubBus(pubsub),
    topology,
    log: () => undefined,
    leaseMs: 600_000,
    maxWaitMs: 30_000,
  };
});

after(async () => {
  await Promise.allSettled([firestore?.terminate(), pubsub?.close()]);
  await Promise.all(emulators.map((e) => e.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('dbt trigger', () => {
  it('dead-letters a malformed event and changes nothing', async () => {
    const watch = pubsub.subscription('dead-letter-watch');
    const received = new Promise<Message>((resolve) => watch.once('message', (m: Message) => (m.ack(), resolve(m))));
    const bad = { data: Buffer.from('{"v":1,"table":"raw_trades"}'), attributes: {}, messageId: 'bad-1', publishTime: null };
    assert.deepEqual(await handleLoadEvent(deps, bad), []);
    const dead = await received;
    await watch.close();
    assert.equal(dead.attributes[DEAD_LETTER_ATTRIBUTES.source], 'dbtTrigger');
    assert.match(dead.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '', /status must be one of/);
    assert.deepEqual(await store.listStates(), []);
  });

  it('does not run for half the members, and says what it waits for', async () => {
    const outcomes = [];
    for (const table of ['raw_instruments', 'raw_trades']) outcomes.push(await handleLoadEvent(deps, eventMessage(loads.get(table)!, '20240115')));
    assert.deepEqual(runsOf(outcomes), []);
    const status = await readDbtStatus(store, [DAILY]);
    assert.deepEqual(status.batchKeys.map((k) => [k.batch, k.batchKey, k.state]), [['daily', '20240115', 'waiting for raw_positions, raw_eod_prices']]);
    assert.deepEqual(status.runs, []);
  });

  it('runs dbt exactly once when the last members arrive together with duplicates, and the models have the rows', async () => {
    const deliveries = [
      eventMessage(loads.get('raw_positions')!, '20240115'),
      eventMessage(loads.get('raw_eod_prices')!, '20240115'),
      eventMessage(loads.get('raw_positions')!, '20240115'),
      eventMessage(loads.get('raw_trades')!, '20240115'),
    ];
    const runs = runsOf(await Promise.all(deliveries.map((m) => handleLoadEvent(deps, m))));
    assert.equal(runs.length, 1);
    const [record] = await store.listRuns(10);
    assert.equal(record?.status, 'success', record?.logExcerpt);
    assert.equal(record?.seq, 1);
    assert.ok(record?.modelsBuilt.includes('model.landfall_example.position_values'));
    assert.ok(record?.finishedAt);
    assert.deepEqual(Object.keys(record?.loadIds ?? {}).sort(), [...DAILY.tables].sort());
    assert.deepEqual(await queryDuckDb(db, 'SELECT count(*)::INTEGER AS n FROM position_values'), [{ n: 8 }]);
    // A late duplicate after the run: nothing.
    assert.deepEqual(runsOf([await handleLoadEvent(deps, eventMessage(loads.get('raw_eod_prices')!, '20240115'))]), []);
  });

  it('runs once more when one member is reloaded, and not again for its duplicate', async () => {
    const [reloaded] = await loadSamples(db, [join(SAMPLES, 'positions_20240115.csv')], true);
    assert.equal(reloaded?.status, 'loaded');
    const first = eventMessage(reloaded!, '20240115');
    assert.equal(runsOf([await handleLoadEvent(deps, first)]).length, 1);
    assert.equal(runsOf([await handleLoadEvent(deps, eventMessage(reloaded!, '20240115'))]).length, 0);
    const runs = await store.listRuns(10);
    assert.deepEqual(runs.map((r) => [r.seq, r.status]), [[2, 'success'], [1, 'success']]);
    assert.equal(runs[0]?.loadIds.raw_positions, reloaded!.loadId);
    assert.match(formatDbtStatus(await readDbtStatus(store, [DAILY])), /daily 20240115: up to date: no loads since the last run[\s\S]*daily 20240115 run 2: success/);
    assert.deepEqual(await queryDuckDb(db, 'SELECT count(*)::INTEGER AS n FROM position_values'), [{ n: 8 }]);
  });

  it('records a dbt failure with its message; the next batch runs as usual (each_load, after its quiet period)', async () => {
    const broken = join(dir, 'broken-project');
    await cp('dbt', broken, { recursive: true, filter: (src) => !/[/\\](target|logs)$/.test(src) });
    await writeFile(join(broken, 'models/marts/trader_ids.sql'), "select cast(trader as integer) as trader_id from {{ ref('stg_trades') }}\n");
    const brokenBatch: TriggerBatch = { name: 'traders', tables: ['raw_trades'], select: 'trader_ids', policy: { kind: 'all_tables' }, perFolder: false };
    const failing = { ...deps, batches: [brokenBatch], runner: new LocalDbtRunner({ duckdbPath: db, projectDir: broken }) };
    const [failed] = runsOf([await handleLoadEvent(failing, eventMessage(loads.get('raw_trades')!, '20240115'))]);
    assert.equal(failed?.status, 'error');
    assert.match(failed?.message ?? '', /trader_ids: .*Conversion Error/s);
    assert.deepEqual(failed?.modelsFailed, ['model.landfall_example.trader_ids']);

    const intraday = { ...deps, batches: [INTRADAY] };
    const [drift] = await loadSamples(db, [join(SAMPLES, 'drift/trades_20240116.csv')]);
    const [again] = await loadSamples(db, [join(SAMPLES, 'drift/trades_20240116.csv')], true);
    const started = Date.now();
    // Two loads within the quiet period: the first handler stands down, the second runs dbt once.
    const outcomes = await Promise.all([
      handleLoadEvent(intraday, eventMessage(drift!, '20240116')),
      new Promise<BatchOutcome[]>((resolve) => setTimeout(() => resolve(handleLoadEvent(intraday, eventMessage(again!, '20240116'))), 300)),
    ]);
    const runs = runsOf(outcomes);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.status, 'success', runs[0]?.logExcerpt);
    assert.ok(Date.now() - started >= 1000, 'ran before the quiet period was over');
    assert.equal(runs[0]?.loadIds.raw_trades, again!.loadId);
    const venues = await queryDuckDb(db, "SELECT venue FROM stg_trades WHERE trade_id = 'T20240116-0001'");
    assert.deepEqual(venues, [{ venue: 'XETR' }]);
  });
});
