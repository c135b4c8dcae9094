// The commit script: one transaction, values only as escaped literals, the trailer left out once, staging dropped after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitScript } from '../../../../lib/adapters/bigquery/commit-sql.js';
import { countSql } from '../../../../lib/adapters/bigquery/count-sql.js';
import { throwIfFailed } from '../../../../lib/adapters/bigquery/jobs.js';

const base = {
  where: { project: 'p', dataset: 'd' },
  table: 't',
  staging: '_landfall_staging_x',
  fields: { format: 'csv', width: 2 } as const,
  plan: { known: [{ position: 1, column: 'id' }], extra: [{ position: 2, key: "odd 'key\"" }] },
  columns: [{ name: 'id', type: 'STRING' }],
  loadId: 'L-1',
  replaceLoadIds: [] as string[],
  metadata: { filename: "f'.csv", path: "d/f'.csv", rowCount: 2, startedAt: new Date('2024-01-15T00:00:00.123Z'), sourceUri: 'gs://b/f.csv', sourceGeneration: '7', expectedRows: null, bytes: 10 },
};

test('a plain load is insert + metadata inside one transaction, then the staging table is dropped', () => {
  const sql = commitScript(base);
  const statements = sql.split(';\n');
  assert.deepEqual(statements.map((s) => s.split(' ')[0]), ['BEGIN', 'INSERT', 'INSERT', 'COMMIT', 'DROP']);
  assert.match(sql, /TIMESTAMP_MICROS\(1705276800123000\)/);
  assert.match(sql, /'f\\'\.csv'/);
  assert.match(sql, /'"odd \\'key\\\\""'/, 'the _extra key is a JSON string inside an escaped literal');
  assert.ok(!sql.includes('@'), 'no query parameters: the emulator cannot bind them in a script');
});

test('replacing earlier loads deletes their rows and marks them inside the same transaction', () => {
  const sql = commitScript({ ...base, replaceLoadIds: ['A', "B'"] });
  const statements = sql.split(';\n').map((s) => s.split(' ')[0]);
  assert.deepEqual(statements, ['BEGIN', 'DELETE', 'UPDATE', 'INSERT', 'INSERT', 'COMMIT', 'DROP']);
  assert.match(sql, /IN UNNEST\(\['A', 'B\\''\]\)/);
});

test('a staged trailer is counted and exactly one equal row is left out', () => {
  assert.match(countSql(base.where, base.staging, base.fields, { trailer: ['TRAILER', '2'] }), /COUNTIF\(\(COALESCE\(`_landfall_c1`, ''\) = 'TRAILER' AND COALESCE\(`_landfall_c2`, ''\) = '2'\)\)/);
  const sql = commitScript({ ...base, trailer: ['TRAILER', '2'] });
  assert.match(sql, /ROW_NUMBER\(\) OVER \(PARTITION BY .*\) AS _landfall_n/);
  assert.match(sql, /WHERE NOT \(_landfall_is_trailer AND _landfall_n = 1\)/);
});

test('a job that ended with an error is never taken for success', () => {
  assert.doesNotThrow(() => throwIfFailed({ status: { state: 'DONE' } }));
  assert.throws(() => throwIfFailed({ status: { state: 'DONE', errorResult: { reason: 'invalid', message: 'Error while reading data' } } }), /Error while reading data/);
});

test('a wide file’s OR, AND and CONCAT terms come in nested groups of at most 100 (the emulator’s SQLite takes 127 arguments)', () => {
  const fields = { format: 'csv', width: 250 } as const;
  const sql = countSql({ project: 'p', dataset: 'd' }, 'staging', fields, { trailer: Array.from({ length: 250 }, (_, i) => `f${i}`), nuls: true });
  const groups = [...sql.matchAll(/\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)].map((m) => m[1]!);
  assert.ok(sql.includes('0 IN UNNEST(TO_CODE_POINTS(`_landfall_c250`))'));
  for (const op of [' OR ', ' AND ']) {
    const widest = Math.max(...groups.filter((g) => g.includes(op)).map((g) => g.split(op).length));
    assert.ok(widest <= 100, `${op.trim()} groups of ${widest}`);
  }
  const plan = { known: [], extra: Array.from({ length: 120 }, (_, i) => ({ position: i + 1, key: `k${i}` })) };
  const script = commitScript({ ...base, plan });
  const concats = [...script.matchAll(/CONCAT\(/g)].length;
  assert.ok(concats >= 6, `the 120 keys of _extra need several CONCAT calls, found ${concats}`);
});
