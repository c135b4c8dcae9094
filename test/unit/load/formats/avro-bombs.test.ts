// Decompression bombs: every Avro codec stops where its output would pass the limit it is given, and at most two
// expanded blocks are held at a time, so a file cannot expand into the loader's memory through one block or many.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import snappy from 'snappy';
import { avroRecords } from '../../../../lib/load/formats/avro.js';
import { openLocalFile } from '../../../../lib/adapters/local/index.js';
import { EXPANSION_LIMIT, ExpansionLimitError, avroCodecs, zstandardBound } from '../../../../lib/load/formats/avro-codecs.js';

/** A zstd frame (RFC 8878) of RLE blocks of `size` bytes of 'a': declaring its content size, or only a 1 MiB window. */
function zstdRle(blocks: number, size: number, declared: boolean): Buffer {
  const head = declared ? [0x28, 0xb5, 0x2f, 0xfd, 0xe0, ...new Uint8Array(new BigUint64Array([BigInt(blocks * size)]).buffer)] : [0x28, 0xb5, 0x2f, 0xfd, 0x00, 10 << 3];
  const body = Array.from({ length: blocks }, (_, i) => {
    const header = (size << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    return [header & 0xff, (header >> 8) & 0xff, header >> 16, 0x61];
  });
  return Buffer.from([...head, ...body.flat()]);
}

/** 96 bytes of text as each codec compresses it (bzip2 and xz by Python's bz2 and lzma, which fastavro calls); zstd as 96 RLE 'a's. */
const PLAIN = Buffer.from('landfall reads every Avro codec\n'.repeat(3));
const RLE_PLAIN = Buffer.alloc(PLAIN.length, 'a');
const COMPRESSED: Record<string, Buffer> = {
  deflate: deflateRawSync(PLAIN),
  snappy: Buffer.concat([snappy.compressSync(PLAIN), Buffer.from(new Uint8Array(new Uint32Array([crc32(PLAIN)]).buffer).reverse())]),
  zstandard: zstdRle(1, PLAIN.length, true),
  bzip2: Buffer.from('QlpoOTFBWSZTWdcePqQAAB7VgAAQQAAgAC8FmSAgAEGf+qpkepptTyhTAAHS0qShtLLDLt8lSloYaUjhCkPG2nK0PxdyRThQkNcePqQ=', 'base64'),
  xz: Buffer.from('/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4ABfACZdADYYSiD3j53RCZ9Zn/F2G4Gii5FRoiWtpJmFRA2LLs6t5QOzmlAAAAAAMZoCWpQgptoAAUJg9Pl7rx+2830BAAAAAARZWg==', 'base64'),
};

/** Sends blocks to one codec the way avsc does: all in one go, each answered through its callback. */
function decodeTogether({ codecs }: ReturnType<typeof avroCodecs>, codec: string, blocks: Buffer[]): Promise<Buffer | Error>[] {
  return blocks.map((block) => new Promise((resolve) => codecs[codec]!(block, (error, data) => resolve(error ?? data!))));
}

test('each codec decodes a block that fits the limit and refuses, naming itself, one that would pass it', async () => {
  for (const [codec, block] of Object.entries(COMPRESSED)) {
    const [fits] = decodeTogether(avroCodecs(PLAIN.length), codec, [block]);
    assert.deepEqual(await fits, codec === 'zstandard' ? RLE_PLAIN : PLAIN, codec);
    const [past] = decodeTogether(avroCodecs(PLAIN.length - 1), codec, [block]);
    const error = await past;
    assert.ok(error instanceof ExpansionLimitError, `${codec}: ${String(error)}`);
    assert.match(error.message, new RegExp(`^an? ${codec} block expands past`));
  }
});

test('a zstd frame is sized from its headers before anything is allocated, with or without its content size', async () => {
  assert.equal(zstandardBound(zstdRle(3, 1000, true)), 3000);
  // No content size: the window (1 MiB here) or the blocks' sum, whichever is more.
  assert.equal(zstandardBound(zstdRle(3, 1000, false)), 1024 ** 2);
  assert.equal(zstandardBound(zstdRle(20, 100_000, false)), 2_000_000);
  // A frame that only claims 2 GB is refused on the claim, without fzstd allocating it.
  const claims = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0, ...new Uint8Array(new BigUint64Array([2n ** 31n - 1n]).buffer), 0x01, 0x00, 0x00]);
  const [claimed] = decodeTogether(avroCodecs(), 'zstandard', [claims]);
  assert.ok((await claimed!) instanceof ExpansionLimitError);
});

/** One turn of the event loop: everything a synchronous decoder would do has been done by then. */
const turn = () => new Promise((resolve) => setImmediate(() => resolve('still waiting')));

test('two expanded blocks are held at a time: the third is decompressed once the first has been read', async () => {
  const budget = avroCodecs();
  const blocks = Array.from({ length: 4 }, () => COMPRESSED.snappy!);
  const [first, second, third, fourth] = decodeTogether(budget, 'snappy', blocks);
  assert.deepEqual([await first, await second], [PLAIN, PLAIN]);
  assert.equal(await Promise.race([third, turn()]), 'still waiting');
  budget.blockRead();
  assert.deepEqual(await third, PLAIN);
  assert.equal(await Promise.race([fourth, turn()]), 'still waiting');
  budget.blockRead();
  assert.deepEqual(await fourth, PLAIN);
});

/** Avro's long: zigzag, then base-128 little-endian. */
function long(n: number): Buffer {
  const bytes = [];
  for (let v = BigInt(n) << 1n; ; v >>= 7n) {
    if (v < 0x80n) return Buffer.from([...bytes, Number(v)]);
    bytes.push(Number(v & 0x7fn) | 0x80);
  }
}
const text = (s: string) => Buffer.concat([long(Buffer.byteLength(s)), Buffer.from(s)]);

/** An object container file of string records, written by hand (Avro's spec): every block one record of `size` 'a's. */
async function bomb(path: string, codec: string, blocks: number, size: number, compress: (plain: Buffer) => Buffer): Promise<void> {
  const sync = Buffer.alloc(16, 7);
  const meta = Buffer.concat([long(2), text('avro.schema'), text('"string"'), text('avro.codec'), text(codec), long(0)]);
  const data = compress(Buffer.concat([long(size), Buffer.alloc(size, 'a')]));
  const block = Buffer.concat([long(1), long(data.length), data, sync]);
  await writeFile(path, Buffer.concat([Buffer.from('Obj\x01', 'latin1'), meta, sync, ...Array.from({ length: blocks }, () => block)]));
}

async function readAll(path: string): Promise<number> {
  let records = 0;
  for await (const _ of avroRecords(await openLocalFile(path))) records++;
  return records;
}

test('a block that expands past 64 MiB fails the file; many blocks that add up past it load, two held at a time', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-bomb-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(EXPANSION_LIMIT, 64 * 1024 ** 2);
  // One deflate block of 70 MiB of 'a', about 70 KiB in the file.
  await bomb(join(dir, 'one.avro'), 'deflate', 1, 70 * 1024 ** 2, (plain) => deflateRawSync(plain));
  await assert.rejects(readAll(join(dir, 'one.avro')), /one\.avro: a deflate block expands past 64 MiB \(a decompression bomb/);
  // Eight bzip2 blocks of 10 MiB each, 59 bytes each in the file: one read of the file completes them all.
  const tenMiB = Buffer.from('QlpoOTFBWSZTWVoKowMBQUPBYIAQIABAAAAEAAggAFBmgClTEzgSBM2hVBVrsgkCfF3JFOFCQWgqjAw=', 'base64');
  await bomb(join(dir, 'many.avro'), 'bzip2', 8, 10 * 1024 ** 2, () => tenMiB);
  assert.equal(await readAll(join(dir, 'many.avro')), 8);
});
