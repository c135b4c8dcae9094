// DuckDB's limits met on purpose: an out-of-memory file ends failed after one retry, and a load_metadata from before paths is brought up to date.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadText, mappingOf } from '../../contract/warehouse-contract.js';
import { newDuckDbHarness } from './harness.js';

// 8 MB is less than the one 16 MiB buffer DuckDB's CSV reader takes: every attempt runs out, whatever the file.
test('a file DuckDB runs out of memory on fails with that reason after one retry on one thread: a final status, not an endless retry', async () => {
  const h = await newDuckDbHarness({ memoryLimit: '8MB' });
  try {
    // Larger than one reader buffer (MAX_LINE_BYTES), so the first attempt runs on every thread.
    const line = `${'x'.repeat(1000)}\n`;
    const report = await loadText(h, 'oom_a.csv', `a\n${line.repeat(17 * 1024)}`, mappingOf('oom'));
    assert.equal(report.outcome.status, 'failed');
    assert.match(report.outcome.error ?? '', /^oom_a\.csv: DuckDB ran out of memory loading it \(memory limit \d+ bytes for its 1 columns\), also on a second attempt with one thread/);
    assert.equal(report.failure?.retryable, false);
    assert.equal(await h.columns('oom'), undefined, 'no table was left behind');
    assert.deepEqual((await h.metadata()).map((m) => [m.status, m.path]), [['failed', 'oom_a.csv']]);
    assert.deepEqual(await h.warehouse.query("SELECT current_setting('threads') AS t"), [{ t: 2n }], 'the retry gives the thread count back');
  } finally {
    await h.close();
  }
});

test('a file smaller than one reader buffer is read on one thread from the start: out of memory there, it fails without a retry that would change nothing', async () => {
  const h = await newDuckDbHarness({ memoryLimit: '8MB' });
  try {
    const report = await loadText(h, 'oom_b.csv', `a,b\n${Array.from({ length: 1000 }, (_, i) => `${i},x`).join('\n')}\n`, mappingOf('oomb'));
    assert.equal(report.outcome.status, 'failed');
    assert.match(report.outcome.error ?? '', /^oom_b\.csv: DuckDB ran out of memory loading it \(memory limit \d+ bytes for its 2 columns\), on one thread: raise DUCKDB_MEMORY_LIMIT/);
    assert.equal(await h.columns('oomb'), undefined, 'no table was left behind');
  } finally {
    await h.close();
  }
});

/** A load_metadata as landfall wrote it before paths were identities, holding one loaded file. */
async function oldDatabase(path: string, row: { loadId: string; filename: string; generation: string }): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  await c.run(`CREATE TABLE load_metadata (load_id VARCHAR NOT NULL, filename VARCHAR NOT NULL, table_name VARCHAR NOT NULL, row_count BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL, completed_at TIMESTAMP NOT NULL, source_uri VARCHAR NOT NULL, source_generation VARCHAR NOT NULL,
    expected_rows BIGINT, bytes BIGINT NOT NULL, status VARCHAR NOT NULL, error VARCHAR)`);
  await c.run(`CREATE TABLE mig (a VARCHAR, "_extra" JSON, "_load_id" VARCHAR)`);
  await c.run(`INSERT INTO mig VALUES ('1', NULL, '${row.loadId}')`);
  await c.run(`INSERT INTO load_metadata VALUES ('${row.loadId}', '${row.filename}', 'mig', 1, now(), now(), 'file:///x', '${row.generation}', NULL, 4, 'loaded', NULL)`);
  c.closeSync();
  db.closeSync();
}

test('a load_metadata written before paths were identities gets path = filename: a file loaded then is not loaded again', async () => {
  const content = 'a\n1\n';
  const old = { loadId: randomUUID(), filename: 'mig_a.csv', generation: createHash('sha256').update(content).digest('hex') };
  const h = await newDuckDbHarness({ prepare: (path) => oldDatabase(path, old) });
  try {
    assert.deepEqual((await h.metadata()).map((m) => m.path), ['mig_a.csv']);
    const again = await loadText(h, 'mig_a.csv', content, mappingOf('mig'));
    assert.equal(again.outcome.status, 'skipped');
    assert.equal(again.outcome.loadId, old.loadId);
    const elsewhere = await loadText(h, 'day1/mig_a.csv', content, mappingOf('mig'));
    assert.equal(elsewhere.outcome.status, 'loaded', 'a file in a folder has another path now');
    assert.equal((await h.rows('mig'))?.length, 2);
  } finally {
    await h.close();
  }
});
