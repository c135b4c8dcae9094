// The canonical CSV landfall writes for DuckDB: every value quoted with its quotes doubled, short or long, and the
// longest row's bytes reported once a row may pass the line limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_LINE_BYTES, NULL_MARKER, writeCanonicalCsv } from '../../../lib/load/index.js';

async function* records(rows: (string | null)[][]) {
  for (const fields of rows) yield { fields };
}

test('values short and long are quoted with their quotes doubled, multi-byte characters kept', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canonical-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Over 64 Ki characters, so doubled byte by byte: quotes beside 2-, 3- and 4-byte characters.
  const long = 'é"€😀""x'.repeat(20_000);
  const rows = [['a"b', null, ''], [long, 'plain', '"']];
  const written = await writeCanonicalCsv(records(rows), 3, join(dir, 'c.csv'));
  const expected = (v: string | null) => (v === null ? NULL_MARKER : `"${v.replaceAll('"', '""')}"`);
  assert.equal(await readFile(join(dir, 'c.csv'), 'utf8'), `c1,c2,c3\n${rows.map((r) => r.map(expected).join(',')).join('\n')}\n`);
  assert.deepEqual(written, { rows: 2 });
});

test('a row that may pass the line limit is measured: its bytes are the reader\'s line limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canonical-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const quotes = '"'.repeat(MAX_LINE_BYTES / 2);
  const written = await writeCanonicalCsv(records([['1', quotes], ['2', 'b']]), 2, join(dir, 'c.csv'));
  // "1", then the quotes doubled and quoted, then LF.
  assert.deepEqual(written, { rows: 2, longestLineBytes: 3 + 1 + (MAX_LINE_BYTES + 2) + 1 });
});
