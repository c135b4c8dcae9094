// Avro container files through avsc: logical types as text a warehouse casts, longs past 2^53 exact, and the checks
// avsc's own decoder does not make (a header or block cut short, a codec name not in the spec, a snappy block's
// checksum), and the spec's codecs beyond avsc's (snappy, zstandard, bzip2, xz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import snappy from 'snappy';
import { avroRecords } from '../../../../lib/load/formats/avro.js';
import { describeFields } from '../../../../lib/load/index.js';
import { openLocalFile } from '../../../../lib/adapters/local/index.js';
import { bzip2Block, xzBlock } from '../../../../lib/load/formats/avro-codecs.js';
import { avscBytes } from '../../../fixtures/formats/avsc-bytes.js';

const SCHEMA = {
  type: 'record',
  name: 'R',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: ['null', 'string'] },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
} as const;

/** Writes records with avsc's own block encoder (ids as numbers: avsc writes them exactly below 2^53). */
async function write(path: string, records: unknown[], codec = 'null', codecs?: Record<string, unknown>): Promise<Buffer> {
  const bytes = await avscBytes(SCHEMA, records, { codec, ...(codecs ? { codecs } : {}) });
  await writeFile(path, bytes);
  return bytes;
}

const cents = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const record = (id: number, name: string | null) => ({ id, name, day: 19737, at: 1705312800123456, price: cents(-1234), tags: ['a', 'b'] });

test('records read as JSON text by their writer schema, the columns typed from it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'v_1.avro');
  await write(path, [record(1, 'x'), record(2, null)]);
  const source = await openLocalFile(path);
  const rows = [];
  for await (const r of avroRecords(source)) rows.push(r);
  assert.deepEqual(rows[0], { line: 1, keys: ['id', 'name', 'day', 'at', 'price', 'tags'], values: ['1', '"x"', '"2024-01-15"', '"2024-01-15T10:00:00.123456Z"', '"-12.34"', '["a","b"]'] });
  assert.equal(rows[1]!.values[1], 'null');
  assert.deepEqual(await describeFields(source, { format: 'avro', delimiter: ',', compressed: false }), {
    header: ['id', 'name', 'day', 'at', 'price', 'tags'],
    types: ['INT64', 'STRING', 'DATE', 'TIMESTAMP', 'NUMERIC(10,2)', 'JSON'],
  });
});

test('a file cut inside its header or a block, or compressed with a codec landfall cannot read, fails saying so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const whole = await write(join(dir, 'w.avro'), Array.from({ length: 50 }, (_, i) => record(i, `n${i}`)));
  const read = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir, name), bytes);
    for await (const _ of avroRecords(await openLocalFile(join(dir, name)))) {
      // read to the end
    }
  };
  await assert.rejects(read('h.avro', whole.subarray(0, 40)), /h\.avro: the file is not valid Avro \(the file is cut short inside its header\)/);
  await assert.rejects(read('b.avro', whole.subarray(0, whole.length - 30)), /b\.avro: the file is not valid Avro \(the file is cut short: it does not end with its sync marker\)/);
  await assert.rejects(read('j.avro', Buffer.from('{"a":1}\n')), /j\.avro: the file is not valid Avro \(invalid magic bytes/);
  const lz4 = await write(join(dir, 'z0.avro'), [record(1, 'x')], 'lz4', { lz4: (buffer: Buffer, cb: (e: Error | null, b?: Buffer) => void) => cb(null, buffer) } as never);
  await assert.rejects(read('z.avro', lz4), /z\.avro: the file is not valid Avro \(its blocks are compressed with lz4; landfall reads null, deflate, snappy, zstandard, bzip2, xz\)/);
});

/** Avro's snappy codec as its spec writes it: the compressed block, then the plain block's CRC-32 big-endian. */
const snappyCodec = (checksum: (plain: Buffer) => number) => ({
  snappy: (plain: Buffer, cb: (e: Error | null, b?: Buffer) => void) => {
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(checksum(plain));
    cb(null, Buffer.concat([snappy.compressSync(plain), sum]));
  },
});

test('snappy blocks are read and their checksums checked', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const records = Array.from({ length: 50 }, (_, i) => record(i, `n${i}`));
  await write(join(dir, 's.avro'), records, 'snappy', snappyCodec(crc32));
  const ids = [];
  for await (const r of avroRecords(await openLocalFile(join(dir, 's.avro')))) ids.push(r.values[0]);
  assert.deepEqual(ids, records.map((r) => String(r.id)));
  await write(join(dir, 'bad.avro'), records, 'snappy', snappyCodec((plain) => crc32(plain) ^ 1));
  const read = async () => {
    for await (const _ of avroRecords(await openLocalFile(join(dir, 'bad.avro')))) {
      // read to the end
    }
  };
  await assert.rejects(read(), /bad\.avro: the file is not valid Avro \(snappy codec decompression error: a snappy block does not match its checksum\)/);
});

/** The same text compressed by Python's own bz2 and lzma modules, which fastavro's bzip2 and xz codecs call. */
const PLAIN = 'landfall reads every Avro codec\n'.repeat(3);
const BZIP2 = Buffer.from('QlpoOTFBWSZTWdcePqQAAB7VgAAQQAAgAC8FmSAgAEGf+qpkepptTyhTAAHS0qShtLLDLt8lSloYaUjhCkPG2nK0PxdyRThQkNcePqQ=', 'base64');
const XZ = Buffer.from('/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4ABfACZdADYYSiD3j53RCZ9Zn/F2G4Gii5FRoiWtpJmFRA2LLs6t5QOzmlAAAAAAMZoCWpQgptoAAUJg9Pl7rx+2830BAAAAAARZWg==', 'base64');
const flipped = (bytes: Buffer, at: number) => Buffer.concat([bytes.subarray(0, at), Buffer.from([bytes[at]! ^ 0xff]), bytes.subarray(at + 1)]);

test('bzip2 and xz blocks are read, and a corrupt or cut one fails saying which', async () => {
  assert.equal((await bzip2Block(BZIP2)).toString(), PLAIN);
  assert.equal((await xzBlock(XZ)).toString(), PLAIN);
  await assert.rejects(bzip2Block(flipped(BZIP2, 30)), /^Error: a bzip2 block is corrupt or cut short/);
  await assert.rejects(bzip2Block(BZIP2.subarray(0, 40)), /^Error: a bzip2 block is corrupt or cut short/);
  await assert.rejects(xzBlock(flipped(XZ, 40)), /^Error: an xz block is corrupt$/);
  await assert.rejects(xzBlock(XZ.subarray(0, 50)), /^Error: an xz block is cut short$/);
});

test("an Avro file whose xz or bzip2 blocks are not what its header says fails with the codec's words", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const garbage = (_plain: Buffer, cb: (e: Error | null, b?: Buffer) => void) => cb(null, Buffer.from('not compressed at all'));
  for (const codec of ['xz', 'bzip2']) {
    await write(join(dir, `${codec}.avro`), [record(1, 'x')], codec, { [codec]: garbage });
    const read = async () => {
      for await (const _ of avroRecords(await openLocalFile(join(dir, `${codec}.avro`)))) {
        // read to the end
      }
    };
    const words = codec === 'xz' ? 'an xz block is not in the xz format' : 'a bzip2 block is corrupt or cut short';
    await assert.rejects(read(), new RegExp(`${codec}\\.avro: the file is not valid Avro \\(${codec} codec decompression error: ${words}`));
  }
});
