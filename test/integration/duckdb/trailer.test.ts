// Trailer files on DuckDB: the trailer comes from the file's last bytes (never a full read before the warehouse),
// and the line the trailer stands on is still named exactly, counted while the rows are copied.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { TAIL_READ_BYTES, loadFile } from '../../../lib/load/index.js';
import type { LoadReport } from '../../../lib/load/index.js';
import { mappingOf } from '../../contract/warehouse-contract.js';
import { countingSource } from '../../unit/load/counting-source.js';
import { newDuckDbHarness } from './harness.js';
import type { DuckDbHarness } from './harness.js';

let h: DuckDbHarness;
before(async () => {
  h = await newDuckDbHarness();
});
after(() => h.close());

const mapping = mappingOf('tr', { trailer: { rowCountColumn: 2 } });

/** A file over 64 KiB: header, `rows` rows (one value spans two lines), then the trailer line and a blank line. */
function bigFile(rows: number, trailer: string): { text: string; trailerLine: number } {
  const body = Array.from({ length: rows }, (_, i) => (i === 7 ? `${i},"two\nlines"\n` : `${i},value ${i}\n`)).join('');
  const text = `id,v\n${body}${trailer}\n\n`;
  return { text, trailerLine: rows + 3 };
}

async function load(name: string, content: string | Buffer): Promise<{ report: LoadReport; read: ReturnType<ReturnType<typeof countingSource>['read']> }> {
  const { source, read } = countingSource(await h.source(name, content));
  const report = await loadFile(h.warehouse, { source, mapping, compressed: name.endsWith('.gz'), loadId: randomUUID() });
  return { report, read: read() };
}

test('a large trailer file loads its rows without the trailer', async () => {
  const { text } = bigFile(10000, 'TRAILER,10000');
  assert.ok(text.length > 2 * TAIL_READ_BYTES);
  const { report } = await load('tr_ok.csv', text);
  assert.equal(report.outcome.status, 'loaded', report.outcome.error ?? '');
  assert.equal(report.outcome.rows, 10000);
  assert.equal(report.expectedRows, 10000);
});

test('a count that disagrees names the trailer line exactly: DuckDB counts it while copying the rows', async () => {
  const { text, trailerLine } = bigFile(10000, 'TRAILER,10001');
  const { report } = await load('tr_count.csv', text);
  assert.equal(report.outcome.status, 'failed');
  assert.equal(report.outcome.error, `tr_count.csv: expected 10001 rows (tr_count.csv line ${trailerLine}), found 10000`);
  assert.deepEqual(report.failure?.context, { file: 'tr_count.csv', line: trailerLine });
});

test('an unreadable trailer of a large file fails from one ranged read of each end, before any download', async () => {
  const { text } = bigFile(10000, 'TRAILER,lots');
  const { report, read } = await load('tr_nan.csv', text);
  assert.equal(report.outcome.status, 'failed');
  assert.equal(report.outcome.error, 'tr_nan.csv, last line: trailer column 2 "lots" is not a whole number');
  assert.equal(report.failure?.context.line, undefined);
  assert.deepEqual(read, { bytes: 2 * TAIL_READ_BYTES, reads: 2, downloads: 0 });
});

test('a gzip trailer file is streamed (no random access), so its trailer line is known up front', async () => {
  const { text, trailerLine } = bigFile(10000, 'TRAILER,9');
  const { report } = await load('tr_gz.csv.gz', gzipSync(text));
  assert.equal(report.outcome.status, 'failed');
  assert.equal(report.outcome.error, `tr_gz.csv.gz: expected 9 rows (tr_gz.csv.gz line ${trailerLine}), found 10000`);
});
