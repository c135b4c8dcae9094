// The block codecs of Avro's spec that landfall reads beyond avsc's own (null, deflate): snappy and zstandard.
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

/** snappy is a native binding (outside the functions' bundle): loaded the first time a snappy block is read, not at start-up. */
let snappy: typeof import('snappy') | undefined;
const snappyBinding = () => (snappy ??= createRequire(import.meta.url)('snappy') as typeof import('snappy'));

type Codec = (block: Buffer, done: (error: Error | null, data?: Buffer) => void) => void;

/**
 * Avro's snappy block is the compressed data and then the uncompressed data's CRC-32, four bytes big-endian. A block
 * whose checksum does not match is corrupt, not records to load.
 */
export function snappyBlock(block: Buffer): Buffer {
  if (block.length < 4) throw new Error('a snappy block shorter than its checksum');
  const data = snappyBinding().uncompressSync(block.subarray(0, block.length - 4), { asBuffer: true }) as Buffer;
  if (crc32(data) !== block.readUInt32BE(block.length - 4)) throw new Error('a snappy block does not match its checksum');
  return data;
}

/** A zstandard block is one or more zstd frames. */
export function zstandardBlock(block: Buffer): Buffer {
  const data = zstdDecompress(block);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const callback =
  (decode: (block: Buffer) => Buffer): Codec =>
  (block, done) => {
    let data: Buffer;
    try {
      data = decode(block);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, data);
  };

/** For avsc's decoder, beside the codecs it has. */
export const EXTRA_CODECS: Record<string, Codec> = { snappy: callback(snappyBlock), zstandard: callback(zstandardBlock) };

/** Every codec name landfall reads; `bzip2` and `xz`, the spec's others, are refused by name. */
export const AVRO_CODECS = ['null', 'deflate', ...Object.keys(EXTRA_CODECS)];
