// The quota gate's pure parts: landfall's SQL read for DML targets and reads, routes, hive keys, limits, options, billing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitScript } from '../../../../lib/adapters/bigquery/commit-sql.js';
import { ConfigError } from '../../../../lib/errors.js';
import { planColumns } from '../../../../lib/load/index.js';
import { MIN_BILLED_BYTES, billedBytes, resolveLimits } from '../../../../emulators/quota-gate/index.js';
import { hiveKeys } from '../../../../emulators/quota-gate/hive.js';
import { parseGateOptions } from '../../../../emulators/quota-gate/options.js';
import { planQuery, tableKey } from '../../../../emulators/quota-gate/plan.js';
import { routeOf } from '../../../../emulators/quota-gate/routes.js';

const MIB = 1024 * 1024;

describe('planQuery', () => {
  it("reads landfall's commit script: each DML statement against its table, the staging table read, one child job per statement", () => {
    const script = commitScript({
      where: { project: 'p-1', dataset: 'd' },
      table: 'orders',
      staging: '_landfall_staging_x',
      fields: { format: 'csv', width: 2 },
      plan: planColumns(['id', 'v'], ['id', 'v', '_extra', '_load_id']),
      columns: [{ name: 'id', type: 'STRING' }, { name: 'v', type: 'STRING' }],
      loadId: 'L2',
      replaceLoadIds: ['L1'],
      metadata: { filename: 'o.csv', path: 'o.csv', rowCount: 1, startedAt: new Date(0), sourceUri: "gs://b/o;'x'.csv", sourceGeneration: '1', expectedRows: null, bytes: 9 },
    });
    const plan = planQuery('p-1', { query: script });
    assert.deepEqual(plan.quota.dml, [
      { table: 'p-1:d.orders', kind: 'delete' },
      { table: 'p-1:d.load_metadata', kind: 'update' },
      { table: 'p-1:d.orders', kind: 'insert' },
      { table: 'p-1:d.load_metadata', kind: 'insert' },
    ]);
    assert.deepEqual(plan.statements.map((s) => s.statement.kind), ['transaction', 'delete', 'update', 'insert', 'insert', 'transaction', 'ddl']);
    assert.deepEqual(plan.statements[3]!.reads.map(tableKey), ['p-1:d._landfall_staging_x']);
    assert.equal(plan.childJobs, 7);
  });

  it('takes every way of writing a table name, and leaves strings, comments and WITH names alone', () => {
    const sql = [
      "INSERT INTO d.t (a) VALUES ('; DELETE FROM d.x')",
      'UPDATE `p`.`d`.`u` SET a = 1 WHERE TRUE /* ; */',
      '-- ; DELETE FROM d.y\nDELETE `q.d.v` WHERE TRUE',
      'MERGE INTO d.m T USING (SELECT * FROM d.src) S ON T.a = S.a WHEN MATCHED THEN DELETE',
      'TRUNCATE TABLE other-project.d.w',
      'WITH c AS (SELECT a FROM d.r) SELECT * FROM c, d.s AS s2 JOIN `d.j` ON TRUE',
    ].join(';\n');
    const plan = planQuery('p', { query: sql, defaultDataset: { datasetId: 'dd' } });
    assert.deepEqual(plan.quota.dml, [
      { table: 'p:d.t', kind: 'insert' },
      { table: 'p:d.u', kind: 'update' },
      { table: 'q:d.v', kind: 'delete' },
      { table: 'p:d.m', kind: 'merge' },
      { table: 'other-project:d.w', kind: 'truncate' },
    ]);
    assert.equal(plan.statements[3]!.statement.rewritesTarget, true);
    assert.deepEqual(plan.statements[3]!.reads.map(tableKey), ['p:d.src']);
    assert.deepEqual(plan.statements[5]!.reads.map(tableKey), ['p:d.r', 'p:d.s', 'p:d.j']);
    assert.equal(plan.statements[5]!.statement.selectsAll, true);
    assert.equal(planQuery('p', { query: 'SELECT COUNT(*), 2 * 3 FROM d.t' }).statements[0]!.statement.selectsAll, false);
  });

  it('a MERGE that only inserts does not rewrite its target; a query with a destination is a table operation', () => {
    const plan = planQuery('p', { query: 'MERGE d.m USING d.s ON FALSE WHEN NOT MATCHED THEN INSERT (a) VALUES (s.a)', destinationTable: { datasetId: 'd', tableId: 'out' } });
    assert.equal(plan.statements[0]!.statement.rewritesTarget, false);
    assert.equal(plan.quota.writes, 'p:d.out');
    assert.equal(plan.childJobs, 0);
  });
});

describe('billedBytes', () => {
  it('bills at least 10 MB per table referenced, rounds up to the MB, and nothing without a table', () => {
    assert.equal(billedBytes([]), 0);
    assert.equal(billedBytes([0]), MIN_BILLED_BYTES);
    assert.equal(billedBytes([1, 1]), 2 * MIN_BILLED_BYTES);
    assert.equal(billedBytes([10 * MIB + 1]), 11 * MIB);
  });
});

describe('routeOf', () => {
  it('reads both URL forms, uploads and the method override', () => {
    assert.deepEqual(routeOf('POST', '/bigquery/v2/projects/p/jobs'), { method: 'jobs.insert', project: 'p' });
    assert.deepEqual(routeOf('GET', '/projects/p/jobs/j%201?location=EU'), { method: 'jobs.get', project: 'p', jobId: 'j 1', location: 'EU' });
    assert.deepEqual(routeOf('POST', '/upload/bigquery/v2/projects/p/jobs?uploadType=multipart'), { method: 'jobs.upload', project: 'p' });
    assert.deepEqual(routeOf('POST', '/projects/p/datasets/d/tables/t', 'PATCH'), { method: 'tables.patch', project: 'p', dataset: 'd', table: 't' });
    assert.deepEqual(routeOf('GET', '/discovery/v1/apis/bigquery/v2/rest'), { method: 'other' });
  });
});

describe('hiveKeys', () => {
  const uris = ['gs://b/batch/_landfall_load=u1/a.csv', 'gs://b/batch/_landfall_load=u%202/*.csv'];
  it('reads key=value folders under either form of the prefix', () => {
    assert.deepEqual(hiveKeys({ mode: 'STRINGS', sourceUriPrefix: 'gs://b/batch/{_landfall_load:STRING}' }, uris), { keys: ['_landfall_load'], values: [['u1'], ['u 2']] });
    assert.deepEqual(hiveKeys({ mode: 'AUTO', sourceUriPrefix: 'gs://b/batch' }, uris), { keys: ['_landfall_load'], values: [['u1'], ['u 2']] });
  });
  it('refuses what it cannot read', () => {
    assert.match((hiveKeys({ sourceUriPrefix: 'gs://b/batch/' }, ['gs://b/batch/plain/a.csv']) as { problem: string }).problem, /not of the form key=value/);
    assert.match((hiveKeys({ sourceUriPrefix: 'gs://b/batch/' }, ['gs://b/batch/k=*/a.csv']) as { problem: string }).problem, /wildcard/);
    assert.match((hiveKeys({ sourceUriPrefix: 'gs://b/other/' }, uris) as { problem: string }).problem, /does not start with/);
    assert.match((hiveKeys({ sourceUriPrefix: 'gs://b/batch/{k:STRING}' }, uris) as { problem: string }).problem, /differ from those of sourceUriPrefix/);
  });
});

describe('resolveLimits and parseGateOptions', () => {
  it('scale divides counts (never below 1) and overrides win', () => {
    const limits = resolveLimits(1000, { dmlStatementsPerTablePer10s: 3 });
    assert.equal(limits.loadJobsPerProjectPerDay, 100);
    assert.equal(limits.mutatingDmlRunningPerTable, 1);
    assert.equal(limits.dmlStatementsPerTablePer10s, 3);
    assert.throws(() => resolveLimits(1, { nope: 1 } as never), /no limit named nope/);
  });
  it('reports every bad option at once', () => {
    const env = { LANDFALL_QUOTA_GATE: '{"limits":{"loadJobsPerDay":1}}', QUOTA_GATE_PORT: 'x', QUOTA_GATE_SCALE: '0' };
    assert.throws(() => parseGateOptions(env), (e: unknown) => e instanceof ConfigError && e.problems.length === 3);
    assert.deepEqual(parseGateOptions({ QUOTA_GATE_UPSTREAM: 'http://127.0.0.1:9050/', QUOTA_GATE_SCALE: '10' }), { upstream: 'http://127.0.0.1:9050', scale: 10 });
  });
});
