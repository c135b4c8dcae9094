// Trailer files on BigQuery (emulator): the function reads the header and the trailer with one ranged read each
// (≤ 128 KiB together, whatever the file's size) and never downloads the object.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { TAIL_READ_BYTES, loadFile } from '../../../lib/load/index.js';
import { mappingOf } from '../../contract/warehouse-contract.js';
import { countingSource } from '../../unit/load/counting-source.js';
import { newBigQueryHarness, useBigQueryStack } from './harness.js';

const stack = useBigQueryStack();

const mapping = mappingOf('tb', { trailer: { rowCountColumn: 2 } });
/** Rows of three fields; a trailer of three fields too, so the object is staged as it is (no copy). */
const file = (rows: number, count: string) =>
  `id,v,w\n${Array.from({ length: rows }, (_, i) => `${i},value ${i},w\n`).join('')}TRAILER,${count},\n`;

test('a trailer file larger than both reads together loads from ranged reads only, the trailer left out', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    const text = file(20000, '20000');
    assert.ok(text.length > 4 * TAIL_READ_BYTES);
    const { source, read } = countingSource(await h.source('tb_big.csv', text));
    const report = await loadFile(h.warehouse, { source, mapping, compressed: false, loadId: randomUUID() });
    assert.equal(report.outcome.status, 'loaded', report.outcome.error ?? '');
    assert.equal(report.outcome.rows, 20000);
    assert.deepEqual(read(), { bytes: 2 * TAIL_READ_BYTES, reads: 2, downloads: 0 });
    const rows = (await h.rows('tb')) ?? [];
    assert.equal(rows.length, 20000);
    assert.equal(rows.some((r) => r.id === 'TRAILER'), false);
  } finally {
    await h.close();
  }
});

test('a count that disagrees, in a file too large to count lines in: the message says "last line"', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    const { source, read } = countingSource(await h.source('tb_count.csv', file(12000, '12001')));
    const report = await loadFile(h.warehouse, { source, mapping, compressed: false, loadId: randomUUID() });
    assert.equal(report.outcome.status, 'failed');
    assert.equal(report.outcome.error, 'tb_count.csv: expected 12001 rows (tb_count.csv, last line), found 12000');
    assert.deepEqual(report.failure?.context, { file: 'tb_count.csv' });
    assert.equal(read().downloads, 0);
    assert.equal(await h.columns('tb'), undefined);
  } finally {
    await h.close();
  }
});

test('a small trailer file: the line number comes with the one read, as in the bad-input fixtures', async () => {
  const h = await newBigQueryHarness(stack.clients());
  try {
    const { source, read } = countingSource(await h.source('tb_small.csv', 'id,v,w\n1,a,b\n2,c,d\nT,3,\n'));
    const report = await loadFile(h.warehouse, { source, mapping, compressed: false, loadId: randomUUID() });
    assert.equal(report.outcome.error, 'tb_small.csv: expected 3 rows (tb_small.csv line 4), found 2');
    assert.deepEqual(report.failure?.context, { file: 'tb_small.csv', line: 4 });
    assert.deepEqual(read(), { bytes: 24, reads: 1, downloads: 0 });
  } finally {
    await h.close();
  }
});
