// BigQuery bad input and security: names BigQuery rejects fail clearly, hostile names it accepts stay names, jobs are never run twice.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ident, runJob } from '../../../lib/adapters/bigquery/index.js';
import { loadText, mappingOf } from '../../contract/warehouse-contract.js';
import { newBigQueryHarness, useBigQueryStack } from './harness.js';
import { PROJECT } from './stack.js';

const stack = useBigQueryStack();

test('a column name BigQuery rejects fails the file with an error naming it, and creates no table', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    const report = await loadText(h, 'b1_a.csv', '"a""; DROP TABLE b1; --",ok\n1,2\n', mappingOf('b1'));
    assert.equal(report.outcome.status, 'failed');
    assert.match(report.outcome.error ?? '', /b1_a\.csv: cannot create table b1: BigQuery does not accept the column name "a\\"; DROP TABLE b1; --"/);
    assert.equal(await h.columns('b1'), undefined);
    assert.deepEqual((await h.metadata()).map((m) => m.status), ['failed']);
  } finally {
    await h.close();
  }
});

test('names BigQuery accepts, however hostile to SQL, become exactly those columns', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    const header = `"x'y","with space","ünï 名前","a-b","DROP TABLE b2"`;
    const report = await loadText(h, 'b2_a.csv', `${header}\n1,2,3,4,5\n`, mappingOf('b2'));
    assert.equal(report.outcome.status, 'loaded', report.outcome.error ?? '');
    assert.deepEqual(await h.columns('b2'), ["x'y", 'with space', 'ünï 名前', 'a-b', 'DROP TABLE b2', '_extra', '_load_id']);
    const later = await loadText(h, 'b2_b.csv', `"x'y","it's ""new"""\n6,"7'); DELETE FROM b2; --"\n`, mappingOf('b2'));
    assert.equal(later.outcome.status, 'loaded', later.outcome.error ?? '');
    const row = (await h.rows('b2'))?.find((r) => r["x'y"] === '6');
    assert.deepEqual(JSON.parse(row?._extra ?? 'null'), { 'it\'s "new"': "7'); DELETE FROM b2; --" });
  } finally {
    await h.close();
  }
});

test('a table name BigQuery rejects is a clear failure before any job runs', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    const source = await h.source('bad_a.csv', 'a\n1\n');
    const job = { table: 'bad`name', loadId: randomUUID(), source, header: ['a'], delimiter: ',', compressed: false, replace: { force: false, reupload: 'replace' as const }, startedAt: new Date() };
    await assert.rejects(h.warehouse.load(job), /bad_a\.csv: BigQuery does not accept the table name "bad`name"/);
  } finally {
    await h.close();
  }
});

test('a job id derived from the load runs once: a retry finds the finished job instead of running it again', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    await loadText(h, 'j1_a.csv', 'a\n1\n', mappingOf('j1'));
    const dataset = (await h.metadata())[0]!.source_uri.split('/')[3]!;
    const sql = `INSERT INTO ${ident(PROJECT)}.${ident(dataset)}.${ident('j1')} (a) VALUES ('once')`;
    const base = `landfall_test_${randomUUID().replace(/-/g, '')}`;
    const first = await runJob(stack.clients().bq, base, { query: { query: sql, useLegacySql: false } });
    const again = await runJob(stack.clients().bq, base, { query: { query: sql, useLegacySql: false } });
    assert.equal(first.reused, false);
    assert.equal(again.reused, true);
    assert.equal(again.id, first.id);
    assert.equal((await h.rows('j1'))?.filter((r) => r.a === 'once').length, 1);
  } finally {
    await h.close();
  }
});
