// The sweep on the real emulators and a real DuckDB: a dead-lettered load request and a lost arrival are re-driven
// (twice over, and the rows are still in once), a failed file is never re-driven, overdue files and batch keys are
// logged once each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FirestoreBatchStore } from '../../../lib/adapters/dbt/firestore-batch-store.js';
import { fileDocId, statusRows, type LoadEvent, type Severity } from '../../../lib/pipeline/index.js';
import { runSweep, type SweepDeps } from '../../../lib/sweep/index.js';
import { emptyState, parseBatchDefinitions } from '../../../lib/transform/index.js';
import { startHarness, type Harness } from './in-process.js';

let h: Harness;
/** The topology's sweep.readyAfterSeconds: a round ready (or an object landed) this long is stuck. */
const READY_AFTER_MS = 60_000;
const sweepLogs: { severity: Severity; event: string; fields: Record<string, unknown> }[] = [];

/** A sweep as the scheduled one runs it, at `aheadMs` past now (so nothing waits for the lease in real time). */
function sweep(aheadMs: number, overrides: Partial<SweepDeps> = {}, dryRun = false) {
  const batches = parseBatchDefinitions(
    [{ path: 'batches.yaml', text: 'ref_and_trades:\n  tables: [raw_instruments, raw_trades]\n  select: tag:daily\n  policy: all_tables\n  expected_by: 1m\n' }],
    h.matcher.mappings.map((m) => m.table),
  );
  const deps: SweepDeps = {
    store: h.store,
    batchStore: new FirestoreBatchStore(h.firestore),
    bus: h.bus,
    objects: h.objects,
    mappings: h.matcher.mappings,
    batches,
    topology: h.topology,
    log: (severity, event, fields = {}) => void sweepLogs.push({ severity, event, fields }),
    now: () => new Date(Date.now() + aheadMs),
    ...overrides,
  };
  return runSweep(deps, { dryRun });
}

const eventsFor = (table: string, batchKey: string): LoadEvent[] => h.events.filter((e) => e.table === table && e.batchKey === batchKey);
/** Rows in the table from any load of that file name (a second load would add its own load id). */
const count = async (table: string, filename: string) =>
  Number((await h.query(`select count(*)::int as n from ${table} where _load_id in (select load_id from load_metadata where filename = '${filename}')`))[0]?.n);

before(async () => {
  h = await startHarness('sweep-test');
});
after(async () => {
  await h?.stop();
});

test('a load request that was dead-lettered is re-driven once it should have been claimed; two re-drives at once still load the rows once', async () => {
  h.drop.loadRequests = true;
  await h.upload('instruments_20250101.csv', 'id,name\n1,a\n2,b\n3,c\n');
  const id = fileDocId('raw_instruments', '', '20250101');
  await h.waitFor('the request published and dropped', () => h.dropped.loadRequests > 0);
  h.drop.loadRequests = false;

  const early = await sweep(0, {}, true);
  assert.deepEqual(early.plan.redrive.map((r) => r.id), [], 'within the lease nothing is stuck');
  // Two sweeps at once: two load requests for the same round, one claim wins, the other finds it busy or done.
  const [first, second] = await Promise.all([sweep(READY_AFTER_MS + 1000), sweep(READY_AFTER_MS + 1000)]);
  assert.deepEqual([first.plan.redrive.map((r) => r.id), second.plan.redrive.map((r) => r.id)], [[id], [id]]);
  await h.waitFor('the loaded event', () => eventsFor('raw_instruments', '20250101')[0]);
  // The losing request is retried while the claim is held (busy), then finds the round done.
  await h.waitFor('the duplicate request done', () => h.logs.find((l) => l.event === 'request_done' && l.fields.batchKey === '20250101'));
  const doc = await h.store.get(id);
  assert.equal(doc?.state, 'loaded');
  assert.equal(doc?.claims, 1, 'one claim: the duplicate request never claimed');
  assert.equal(eventsFor('raw_instruments', '20250101').length, 1);
  assert.equal(await count('raw_instruments', 'instruments_20250101.csv'), 3);
  assert.deepEqual((await sweep(READY_AFTER_MS + 1000, {}, true)).plan.redrive, [], 'a loaded round is not re-driven');
});

test('an arrival that was lost is re-announced once the object is older than the lease, and loads once', async () => {
  h.drop.arrivals = true;
  await h.upload('instruments_20250102.csv', 'id,name\n1,a\n2,b\n');
  const [object] = (await h.objects.list('landfall-landing', 'incoming/')).filter((o) => o.name.endsWith('instruments_20250102.csv'));
  assert.ok(object, 'the object is in landing');
  // The drop happened when the matcher's subscription saw the notification; only then is "lost" true.
  await h.waitFor('the notification dropped', async () => (await h.store.get(fileDocId('raw_instruments', '', '20250102'))) === undefined && Date.now() - Date.parse(object.timeCreated!) > 1000);
  h.drop.arrivals = false;
  assert.deepEqual((await sweep(0, {}, true)).plan.rediscover, [], 'a young object may still be on its way');
  const done = await sweep(READY_AFTER_MS + 1000);
  assert.deepEqual(done.plan.rediscover.map((o) => o.name), [object.name]);
  await h.waitFor('the loaded event', () => eventsFor('raw_instruments', '20250102')[0]);
  assert.equal(await count('raw_instruments', 'instruments_20250102.csv'), 2);
  assert.deepEqual((await sweep(READY_AFTER_MS + 1000, {}, true)).plan.rediscover, [], 'archived: nothing left to re-announce');
});

test('a file that failed validation is never re-driven, however old', async () => {
  await h.upload('trades_20250103.csv', 'id,qty\n1,10\n');
  await h.upload('trades_20250103.go', 'record_count=7\n');
  await h.waitFor('the failed event', () => eventsFor('raw_trades', '20250103')[0]);
  const planned = await sweep(30 * 86_400_000, {}, true);
  const id = fileDocId('raw_trades', '', '20250103');
  assert.equal((await h.store.get(id))?.state, 'failed');
  assert.ok(!planned.plan.redrive.some((r) => r.id === id));
  assert.ok(!planned.plan.rediscover.some((o) => o.name.includes('trades_20250103')));
});

test('a data file waiting past max_wait is logged file_overdue once, and status marks it', async () => {
  const mappings = h.matcher.mappings.map((m) => (m.table === 'raw_trades' ? { ...m, maxWaitSeconds: 60 } : m));
  await h.upload('trades_20250104.csv', 'id,qty\n1,10\n');
  const id = fileDocId('raw_trades', '', '20250104');
  await h.waitFor('the waiting document', async () => (await h.store.get(id))?.state === 'waiting');
  assert.equal((await sweep(30_000, { mappings })).reported.files, 0, 'not yet past max_wait');
  const overdue = () => sweepLogs.filter((l) => l.event === 'file_overdue' && l.fields.batchKey === '20250104');
  const results = [await sweep(61_000, { mappings }), await sweep(120_000, { mappings })];
  assert.deepEqual(results.map((r) => r.reported.files), [1, 0]);
  assert.equal(overdue().length, 1);
  assert.equal(overdue()[0]!.severity, 'WARNING');
  assert.equal(overdue()[0]!.fields.waitingFor, 'the go file');
  const [row] = statusRows([(await h.store.get(id))!], [], new Date(), []);
  assert.equal(row!.overdue, true, 'the report is kept on the document');
});

test('a batch key incomplete past expected_by is logged batch_overdue once', async () => {
  const store = new FirestoreBatchStore(h.firestore);
  const at = new Date().toISOString();
  await store.update('ref_and_trades', '20250105', () => ({
    state: { ...emptyState('ref_and_trades', '20250105', at), members: { raw_instruments: { loadId: 'l1', status: 'loaded', rows: 1, file: 'f', error: null, at } } },
    result: null,
  }));
  const reports = [await sweep(30_000), await sweep(61_000), await sweep(120_000)];
  assert.deepEqual(reports.map((r) => r.reported.batches), [0, 1, 0]);
  const [line] = sweepLogs.filter((l) => l.event === 'batch_overdue' && l.fields.batchKey === '20250105');
  assert.deepEqual(line?.fields.missing, ['raw_trades']);
});
