// The scale bench's reading of the gate's bill: a stretch of it, the lookups picked out, the ceilings per quota.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions } from '../../../bench/bigquery-scale.js';
import { billBetween, ceilings, lookupQueries, perFile } from '../../../bench/scale-bill.js';
import type { Bill, QueryCharge } from '../../../emulators/quota-gate/index.js';

const META = 'p:ds.load_metadata';
const MIB = 1024 * 1024;

const charge = (jobId: string, statements: [string, string[]][], billed = 10 * MIB): QueryCharge => ({
  jobId,
  failed: false,
  childJobs: statements.length > 1 ? statements.length : 0,
  bytesProcessed: 1,
  bytesBilled: billed,
  statements: statements.map(([kind, tables]) => ({ kind, tables, bytesProcessed: 1, bytesBilled: billed / statements.length })),
});

function bill(queries: QueryCharge[], loads: number, metaStatements: number, peak: number): Bill {
  return {
    since: '',
    jobs: { load: loads, query: queries.length, copy: 0, extract: 0 },
    failedJobs: { load: 0, query: 0, copy: 0, extract: 0 },
    childJobs: queries.reduce((n, q) => n + q.childJobs, 0),
    dml: { [META]: { statements: metaStatements, byKind: { insert: metaStatements, update: 0, delete: 0, merge: 0, truncate: 0 }, peakPer10s: peak } },
    apiCalls: { 'jobs.insert': loads + queries.length },
    quotaErrors: {},
    quotaErrorsByLimit: {},
    duplicateJobIds: 0,
    queries,
    bytesProcessed: queries.length,
    bytesBilled: queries.reduce((n, q) => n + q.bytesBilled, 0),
  };
}

const lookup = (id: string) => charge(id, [['select', [META]]]);
const count = (id: string) => charge(id, [['select', ['p:ds.staging_1']]]);
const script = (id: string) => charge(id, [['transaction', []], ['insert', ['p:ds.t', 'p:ds.staging_1']], ['insert', [META]], ['transaction', []]], 20 * MIB);

test('a stretch of the bill is the later bill less the earlier, its queries the ones added since', () => {
  const before = bill([lookup('warm')], 1, 1, 1);
  const after = bill([lookup('warm'), lookup('a'), count('b'), script('c')], 2, 2, 1);
  const stretch = billBetween(before, after);
  assert.deepEqual(stretch.jobs, { load: 1, query: 3, copy: 0, extract: 0 });
  assert.equal(stretch.childJobs, 4);
  assert.deepEqual(stretch.dmlStatements, { load_metadata: 1 });
  assert.deepEqual(stretch.peakDmlPer10s, { load_metadata: 1 });
  assert.deepEqual(stretch.queries.map((q) => q.jobId), ['a', 'b', 'c']);
  assert.equal(stretch.bytesBilled, 40 * MIB);
});

test('the lookups are the single SELECTs on load_metadata: not the count query, not a script that writes it', () => {
  assert.deepEqual(lookupQueries([lookup('a'), count('b'), script('c'), lookup('d')], META).map((q) => q.jobId), ['a', 'd']);
});

test('each quota allows its limit over what a file costs of it', () => {
  const stretch = billBetween(bill([], 0, 0, 0), bill([lookup('a'), count('b'), script('c')], 2, 2, 2));
  const [loads, dml, queue] = ceilings(perFile(stretch, 100), 2);
  assert.equal(loads!.filesPerDay, 100_000 / 0.02);
  assert.equal(dml!.filesPerDay, (25 * 8640) / 0.02);
  assert.equal(queue!.filesPerDay, (1000 / 2) * 86_400 / 0.03);
});

test('the options: defaults for the full burst, and every bad one reported at once', () => {
  const options = parseOptions([]);
  assert.deepEqual([options.files, options.rows, options.tables, options.backends], [2000, 1000, 20, ['bigquery']]);
  assert.deepEqual(parseOptions(['--duckdb']).backends, ['bigquery', 'duckdb']);
  assert.throws(() => parseOptions(['--files', '0', '--rows', 'x']), (error: Error) => /--files/.test(error.message) && /--rows/.test(error.message));
});
