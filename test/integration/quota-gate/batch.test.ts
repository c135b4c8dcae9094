// A group commit through the quota gate: what a batch of files costs BigQuery, against what the same files cost one by one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadBatch } from '../../contract/warehouse-contract-batch.js';
import type { FileSpec } from '../../contract/warehouse-contract-batch.js';
import { loadText, mappingOf } from '../../contract/warehouse-contract.js';
import { newBigQueryHarness } from '../bigquery/harness.js';
import { client, openGate, useEmulators } from './gate-harness.js';

const bench = useEmulators();
const TABLES = ['orders', 'trades', 'prices', 'fx'];

/** 40 new files over four tables, two rows each: the pipeline's first claim of each path (fresh). */
const burst = (tag: string, fresh = true): FileSpec[] =>
  Array.from({ length: 40 }, (_, i) => {
    const table = TABLES[i % TABLES.length]!;
    return { name: `${table}_${tag}${i}.csv`, content: `id,v\n${tag}${i}a,1\n${tag}${i}b,2\n`, mapping: mappingOf(table), fresh };
  });

test('40 new files over four tables in one batch: one load job, two query jobs, one INSERT per table and one into load_metadata', async () => {
  const b = bench();
  const gate = await openGate(b);
  const h = await newBigQueryHarness({ bq: client(gate.url), storage: b.storage });
  try {
    const files = burst('a');
    for (const f of files) await h.source(f.name, f.content);
    gate.reset();
    const { jobs, fates } = await loadBatch(h, files);
    assert.deepEqual(fates.map((f) => f.status), files.map(() => 'fulfilled'));
    const bill = gate.bill();
    assert.equal(bill.jobs.load, 1, 'every file has the same shape: one load job stages them all');
    // New files need no "loaded before?" lookup: the count and the commit script are the only query jobs.
    assert.equal(bill.jobs.query, 2);
    const inserts = Object.fromEntries(Object.entries(bill.dml).map(([table, d]) => [table.split('.').at(-1)!, d.byKind.insert]));
    assert.deepEqual(inserts, { ...Object.fromEntries(TABLES.map((t) => [t, 1])), load_metadata: 1 });
    assert.deepEqual(bill.quotaErrors, {});
    for (const table of TABLES) {
      const rows = (await h.rows(table))!;
      assert.equal(rows.length, 20);
      for (const job of jobs.filter((j) => j.table === table)) assert.equal(rows.filter((r) => r._load_id === job.loadId).length, 2);
    }
    assert.equal((await h.metadata()).length, 40);
  } finally {
    await h.close();
    await gate.stop();
  }
});

test('with a DML limit scaled to 5 per table per 10 s, the batch stays inside it where the same files one by one are throttled', async () => {
  const b = bench();
  const gate = await openGate(b, { limits: { dmlStatementsPerTablePer10s: 5 } });
  const h = await newBigQueryHarness({ bq: client(gate.url), storage: b.storage });
  try {
    const { fates } = await loadBatch(h, burst('b'));
    assert.deepEqual(fates.map((f) => f.status), fates.map(() => 'fulfilled'));
    assert.equal(gate.bill().quotaErrorsByLimit.dmlStatementsPerTablePer10s ?? 0, 0);
    gate.reset();
    // Today's path: a commit per file, each an INSERT into load_metadata; the sixth within 10 s is refused.
    const oneByOne = await Promise.allSettled(burst('c').slice(0, 8).map((f) => loadText(h, f.name, f.content, f.mapping)));
    assert.ok(oneByOne.some((r) => r.status === 'rejected' && /quota for table dml/i.test(String(r.reason))), 'file by file, the DML rate is exceeded');
  } finally {
    await h.close();
    await gate.stop();
  }
});

test('files that may be in already (a retake) are looked up one by one, on the clustering, and skipped', async () => {
  const b = bench();
  const gate = await openGate(b);
  const h = await newBigQueryHarness({ bq: client(gate.url), storage: b.storage });
  try {
    const files = burst('d').slice(0, 8);
    assert.deepEqual((await loadBatch(h, files)).fates.map((f) => f.status), files.map(() => 'fulfilled'));
    gate.reset();
    const again = await loadBatch(h, files.map((f) => ({ ...f, fresh: false })));
    assert.deepEqual(again.fates.map((f) => (f as PromiseFulfilledResult<{ status: string }>).value?.status), files.map(() => 'skipped'));
    const bill = gate.bill();
    assert.deepEqual([bill.jobs.load, bill.jobs.query], [0, 8], 'one lookup per file and nothing else: all were in');
  } finally {
    await h.close();
    await gate.stop();
  }
});

test('JSON lines and Parquet into a typed table and new ones: one load job per format and width, still two query jobs', async () => {
  const b = bench();
  const gate = await openGate(b);
  const h = await newBigQueryHarness({ bq: client(gate.url), storage: b.storage });
  const dir = await mkdtemp(join(tmpdir(), 'landfall-gate-formats-'));
  try {
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    const parquet = join(dir, 'p.parquet');
    await duck.run(`COPY (SELECT range AS id, TIMESTAMPTZ '2024-01-15 09:30:00+00' + to_seconds(range) AS at FROM range(3)) TO '${parquet}' (FORMAT parquet)`);
    duck.closeSync();
    instance.closeSync();
    await h.createTable('typed', 'id INTEGER, v INTEGER');
    const files: FileSpec[] = [
      ...[1, 2, 3, 4].map((i) => ({ name: `typed_${i}.jsonl`, content: `{"id": ${i}, "v": "${i * 10}"}\n`, mapping: mappingOf('typed'), fresh: true })),
      ...[1, 2, 3, 4].map((i) => ({ name: `loose_${i}.jsonl`, content: `{"k": "${i}", "n": 1.50, "o": {"i": ${i}}}\n`, mapping: mappingOf('loose'), fresh: true })),
      ...[1, 2].map((i) => ({ name: `pq_${i}.parquet`, content: readFileSync(parquet), mapping: mappingOf('pq'), fresh: true })),
    ];
    for (const f of files) await h.source(f.name, f.content);
    gate.reset();
    const { fates } = await loadBatch(h, files);
    assert.deepEqual(fates.map((f) => f.status), files.map(() => 'fulfilled'), fates.map((f) => (f.status === 'rejected' ? String(f.reason) : '')).join(' '));
    const bill = gate.bill();
    assert.equal(bill.jobs.load, 3, 'JSON lines of two widths, and Parquet: three staging tables');
    assert.equal(bill.jobs.query, 2, 'the count query checks the typed table’s casts: no job of its own');
    assert.deepEqual((await h.rows('typed'))?.map((r) => [r.id, r.v]).sort(), [['1', '10'], ['2', '20'], ['3', '30'], ['4', '40']]);
    assert.equal((await h.rows('pq'))?.length, 6);
    assert.deepEqual(await h.columns('loose'), ['k', 'n', 'o', '_extra', '_load_id']);
  } finally {
    await h.close();
    await gate.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
