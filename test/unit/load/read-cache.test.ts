import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import { withReadCache } from '../../../lib/load/index.js';
import { countingSource } from './counting-source.js';

const dir = await mkdtemp(join(tmpdir(), 'landfall-cache-'));
after(() => rm(dir, { recursive: true, force: true }));

async function cached(content: Buffer) {
  const path = join(dir, `f${Math.random()}.csv`);
  await writeFile(path, content);
  const counting = countingSource(await openLocalFile(path));
  return { source: withReadCache(counting.source), read: counting.read };
}

test('reads within bytes already read are served from them; longer ones read again', async () => {
  const content = Buffer.from(Array.from({ length: 100000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
  const { source, read } = await cached(content);
  assert.deepEqual(await source.readHead(65536), content.subarray(0, 65536));
  assert.deepEqual(await source.readHead(4096), content.subarray(0, 4096));
  assert.deepEqual(await source.readTail(65536), content.subarray(-65536));
  assert.deepEqual(await source.readTail(17), content.subarray(-17));
  assert.deepEqual(read(), { bytes: 131072, reads: 2, downloads: 0 });
  assert.deepEqual(await source.readTail(70000), content.subarray(-70000));
  assert.deepEqual(read(), { bytes: 201072, reads: 3, downloads: 0 });
  assert.deepEqual([source.name, source.bytes], [source.name, 100000]);
});

test('a head read that covered the whole file serves every later read', async () => {
  const content = Buffer.from('a,b\n1,2\nT,1\n');
  const { source, read } = await cached(content);
  assert.deepEqual(await source.readHead(65536), content);
  assert.deepEqual(await source.readTail(65536), content);
  assert.deepEqual(await source.readTail(4), Buffer.from('T,1\n'));
  assert.deepEqual(await source.readHead(131072), content);
  assert.deepEqual(read(), { bytes: content.length, reads: 1, downloads: 0 });
});
