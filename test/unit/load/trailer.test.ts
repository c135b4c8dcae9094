import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import { TAIL_READ_BYTES, locateTrailer, trailerFromTail } from '../../../lib/load/index.js';
import { countingSource } from './counting-source.js';

const dir = await mkdtemp(join(tmpdir(), 'landfall-trailer-'));
after(() => rm(dir, { recursive: true, force: true }));

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function fileOf(name: string, content: string | Buffer) {
  const path = join(dir, name);
  await writeFile(path, content);
  return countingSource(await openLocalFile(path));
}

test('the trailer is the last non-empty line: its text, offset and line number', async () => {
  const text = 'a,b\n1,2\nTRAILER,1,EOF\r\n\n  \n';
  for (const size of [1, 2, 5, 1000]) {
    assert.deepEqual(await locateTrailer(chunks(text, size), 'f.csv'), { offset: 8, lineNumber: 3, text: 'TRAILER,1,EOF' });
  }
  assert.deepEqual(await trailerFromTail((await fileOf('f.csv', text)).source), { offset: 8, lineNumber: 3, text: 'TRAILER,1,EOF' });
});

test('a trailer without a final newline, and one with multibyte text', async () => {
  assert.deepEqual(await locateTrailer(chunks('h\nx\nEND,1', 3), 'f.csv'), { offset: 4, lineNumber: 3, text: 'END,1' });
  assert.deepEqual(await locateTrailer(chunks('h\nÆØÅ,2\n', 1), 'f.csv'), { offset: 2, lineNumber: 2, text: 'ÆØÅ,2' });
  assert.deepEqual(await trailerFromTail((await fileOf('g.csv', 'h\nx\nEND,1')).source), { offset: 4, lineNumber: 3, text: 'END,1' });
  assert.deepEqual(await trailerFromTail((await fileOf('m.csv', 'h\nÆØÅ,2\n')).source), { offset: 2, lineNumber: 2, text: 'ÆØÅ,2' });
});

test('a file with only a header has no trailer', async () => {
  await assert.rejects(locateTrailer(chunks('a,b\n\n', 4), 'f.csv'), /f\.csv: no trailer line/);
  await assert.rejects(locateTrailer(chunks('', 4), 'f.csv'), /no trailer line/);
  await assert.rejects(trailerFromTail((await fileOf('h.csv', 'a,b\n\n \r\n')).source), /h\.csv: no trailer line/);
  await assert.rejects(trailerFromTail((await fileOf('e.csv', '')).source), /e\.csv: no trailer line/);
  // A header longer than the first tail read, and nothing after it: the reads grow until the file's start.
  const longHeader = `${'c'.repeat(3 * TAIL_READ_BYTES)}\n`;
  await assert.rejects(trailerFromTail((await fileOf('lh.csv', longHeader)).source), /lh\.csv: no trailer line/);
});

test('a large file: one 64 KiB read of its end finds the trailer; the line number is left to whoever counts', async () => {
  const rows = Array.from({ length: 20000 }, (_, i) => `${i},"v ${i}"\n`).join('');
  const text = `id,v\n${rows}TRAILER,20000\n\n`;
  const { source, read } = await fileOf('big.csv', text);
  assert.ok(source.bytes > 4 * TAIL_READ_BYTES);
  const trailer = await trailerFromTail(source);
  assert.deepEqual(trailer, { offset: text.indexOf('TRAILER'), text: 'TRAILER,20000' });
  assert.deepEqual(read(), { bytes: TAIL_READ_BYTES, reads: 1, downloads: 0 });
});

test('a trailer line (or blank tail) longer than the first read: the read doubles until the line starts', async () => {
  const long = `T,${'x'.repeat(TAIL_READ_BYTES + 10)}`;
  const text = `a,b\n${'1,2\n'.repeat(50000)}${long}\n`;
  const { source, read } = await fileOf('long.csv', text);
  assert.deepEqual(await trailerFromTail(source), { offset: text.indexOf('T,'), text: long });
  assert.deepEqual(read(), { bytes: 3 * TAIL_READ_BYTES, reads: 2, downloads: 0 });
  const blanks = `a,b\n${'1,2\n'.repeat(50000)}T,3\n${'\n'.repeat(TAIL_READ_BYTES)}`;
  const second = await fileOf('blank.csv', blanks);
  assert.equal((await trailerFromTail(second.source)).offset, blanks.indexOf('T,3'));
});
