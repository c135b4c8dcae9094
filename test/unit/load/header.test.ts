import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import { checkHeader, readHeader } from '../../../lib/load/index.js';

const dir = await mkdtemp(join(tmpdir(), 'landfall-header-'));
after(() => rm(dir, { recursive: true, force: true }));

async function header(name: string, content: string | Buffer, delimiter = ','): Promise<string[]> {
  await writeFile(join(dir, name), content);
  return readHeader(await openLocalFile(join(dir, name)), { delimiter, compressed: name.endsWith('.gz') });
}

test('reads the first record: quotes, BOM, CRLF, other delimiters, no final newline', async () => {
  assert.deepEqual(await header('a.csv', '\uFEFF"a,1","b ""q""",c\r\n1,2,3\r\n'), ['a,1', 'b "q"', 'c']);
  assert.deepEqual(await header('b.csv', 'x;y'), ['x;y']);
  assert.deepEqual(await header('b2.csv', 'x;y', ';'), ['x', 'y']);
  assert.deepEqual(await header('c.csv', '"multi\nline",z\n1,2\n'), ['multi\nline', 'z']);
});

test('reads past the first read when the header is long, and through gzip', async () => {
  const names = Array.from({ length: 20000 }, (_, i) => `column_${i}`);
  assert.deepEqual(await header('long.csv', `${names.join(',')}\n1\n`), names);
  assert.deepEqual(await header('z.csv.gz', gzipSync(`${names.join(',')}\n1\n`)), names);
});

test('an empty file, invalid UTF-8 or a broken gzip header fail at line 1', async () => {
  await assert.rejects(header('e.csv', ''), /e\.csv line 1: the file is empty \(0 bytes\)/);
  await assert.rejects(header('u.csv', Buffer.from([0x61, 0xff, 0x0a])), /u\.csv line 1: the bytes are not valid UTF-8/);
  await assert.rejects(header('g.csv.gz', 'plain text\n'), /g\.csv\.gz line 1: not a valid gzip file/);
});

test('checkHeader rejects empty, duplicate (any case), reserved and control-character names', () => {
  assert.doesNotThrow(() => checkHeader(['a', 'B', 'with space', 'ünï', 'a"; DROP TABLE x; --'], 'f.csv'));
  assert.throws(() => checkHeader(['a', ' '], 'f.csv'), /f\.csv line 1: column 2 of the header has an empty name/);
  assert.throws(() => checkHeader(['Id', 'x', 'ID'], 'f.csv'), /duplicate column name "ID" \(columns 1 and 3/);
  assert.throws(() => checkHeader(['_Extra'], 'f.csv'), /column 1 is named "_Extra", which landfall reserves/);
  assert.throws(() => checkHeader(['a\u0000b'], 'f.csv'), /control character/);
});

test('names are trimmed of surrounding whitespace, quoted or not', async () => {
  assert.deepEqual(await header('t.csv', 'id ,  name\t,"  note "\n1,2,3\n'), ['id', 'name', 'note']);
});

test('a header over the line limit fails like any long line; a lone-CR file fails at once, however large', async () => {
  const long = Buffer.concat([Buffer.alloc(17 * 1024 * 1024, 'h'), Buffer.from(',b\n1,2\n')]);
  await assert.rejects(header('big.csv', long), /big\.csv line 1: the line is longer than the 16777216-byte limit/);
  const loneCr = `a,b\r${'1,2\r'.repeat(10_000_000)}`;
  await assert.rejects(header('cr.csv', loneCr), /cr\.csv line 1: a lone carriage return/);
});

test('checkHeader keeps BigQuery’s limits on every backend: 10,000 columns, 300-character names', () => {
  assert.doesNotThrow(() => checkHeader(Array.from({ length: 10_000 }, (_, i) => `c${i}`), 'w.csv'));
  assert.throws(() => checkHeader(Array.from({ length: 10_001 }, (_, i) => `c${i}`), 'w.csv'), /w\.csv line 1: the header has 10001 columns, more than the 10000/);
  assert.doesNotThrow(() => checkHeader(['n'.repeat(300)], 'n.csv'));
  assert.throws(() => checkHeader(['ok', 'n'.repeat(301)], 'n.csv'), /n\.csv line 1: column 2's name \("n{40}"…\) is 301 characters long, more than the 300/);
});
