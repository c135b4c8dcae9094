// A burst through the whole pipeline on BigQuery, behind the quota gate with limits scaled down so that a load job or
// a load_metadata INSERT per file would run out of them: the group commit must load every file once inside them, and
// a quota error (if any) is retried, never a failed file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadTopology } from '../../lib/config/index.js';
import { gateBill } from './bigquery-warehouse.js';
import { assertEveryFileOnce, uploadBurst, waitSettled, workload } from './burst.js';
import { startE2E, type E2E } from './harness.js';

/** Fewer load jobs than the burst has good files: one per file would run out of them for the day. */
const LOAD_JOBS_PER_DAY = 30;
/** BigQuery's 25 DML statements per table per 10 s, scaled down: one load_metadata INSERT per file would exceed it. */
const DML_PER_10S = 8;
const SETTLE_MS = 480_000;

let e2e: E2E;

before(async () => {
  const base = await loadTopology('config/topology.yaml');
  e2e = await startE2E({
    functions: ['matcher', 'loader', 'sweep'],
    bigquery: { quotaLimits: { loadJobsPerProjectPerDay: LOAD_JOBS_PER_DAY, dmlStatementsPerTablePer10s: DML_PER_10S } },
    // One loader instance (the local stack runs one process) and the least commit interval the topology allows for it.
    topology: {
      ...base,
      functions: { ...base.functions, loader: { ...base.functions.loader, maxInstances: 1 } },
      batch: { ...base.batch, commitIntervalSeconds: 2 },
      delivery: { ...base.delivery, maximumBackoffSeconds: 3 },
      sweep: { ...base.sweep, localIntervalSeconds: 3, readyAfterSeconds: 3 },
    },
  });
});

after(async () => {
  await e2e?.stop();
});

test('a burst on BigQuery inside scaled-down quotas: every file once, only the bad files failed, within the day\'s load jobs', { timeout: SETTLE_MS + 120_000 }, async (t) => {
  // The chaos burst less 20 of its 50 plain files (the emulator stages a batch's objects one by one): every kind of
  // file is still there, go files and control files with their data files, trailers, re-uploads and the bad ones.
  const burst = workload('7777').filter((u) => !/^instruments_777710[23]\d\.csv$/.test(u.name));
  const good = burst.filter((u) => u.loads).length;
  assert.ok(good > LOAD_JOBS_PER_DAY, `the burst has more good files (${good}) than the day's load jobs (${LOAD_JOBS_PER_DAY})`);
  const started = Date.now();
  const uploaded = await uploadBurst(e2e, burst, { perStep: 10, gapMs: 100 });
  await waitSettled(e2e, burst, () => started + SETTLE_MS, `within ${SETTLE_MS / 1000} s`);
  await assertEveryFileOnce(e2e, burst, uploaded);
  const failed = new Set(e2e.events.filter((e) => e.status === 'failed').map((e) => e.path));
  assert.deepEqual([...failed].sort(), burst.filter((u) => u.bad).map((u) => u.name).sort(), 'only the bad files failed: no quota error became a failed file');
  const bill = await gateBill(e2e.stack);
  t.diagnostic(
    `${good} good files in ${((Date.now() - started) / 1000).toFixed(0)} s: ${bill.jobs.load} load jobs, ${bill.jobs.query} query jobs, ` +
      `peak DML per table per 10 s ${Math.max(...Object.values(bill.dml).map((d) => d.peakPer10s))}, quota errors ${JSON.stringify(bill.quotaErrorsByLimit)}`,
  );
  assert.ok(bill.jobs.load <= LOAD_JOBS_PER_DAY, `${bill.jobs.load} load jobs for ${good} files, within the day's ${LOAD_JOBS_PER_DAY}`);
});
