import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locateTrailer } from '../../../lib/load/index.js';

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test('the trailer is the last non-empty line: its text, offset and line number', async () => {
  const text = 'a,b\n1,2\nTRAILER,1,EOF\r\n\n  \n';
  for (const size of [1, 2, 5, 1000]) {
    assert.deepEqual(await locateTrailer(chunks(text, size), 'f.csv'), { offset: 8, lineNumber: 3, text: 'TRAILER,1,EOF' });
  }
});

test('a trailer without a final newline, and one with multibyte text', async () => {
  assert.deepEqual(await locateTrailer(chunks('h\nx\nEND,1', 3), 'f.csv'), { offset: 4, lineNumber: 3, text: 'END,1' });
  assert.deepEqual(await locateTrailer(chunks('h\nÆØÅ,2\n', 1), 'f.csv'), { offset: 2, lineNumber: 2, text: 'ÆØÅ,2' });
});

test('a file with only a header has no trailer', async () => {
  await assert.rejects(locateTrailer(chunks('a,b\n\n', 4), 'f.csv'), /f\.csv: no trailer line/);
  await assert.rejects(locateTrailer(chunks('', 4), 'f.csv'), /no trailer line/);
});
