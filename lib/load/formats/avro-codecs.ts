// The block codecs of Avro's spec that landfall reads beyond avsc's own (null, deflate): snappy, zstandard, bzip2, xz.
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

/** bzip2 and xz are rare in Avro files: their decoders load the first time such a block is read, not at start-up. */
let bunzip: Promise<(typeof import('seek-bzip'))['default']> | undefined;
type XzModule = typeof import('xz-decompress');
let xz: Promise<XzModule> | undefined;

/** A bzip2 block is one bzip2 stream (Java's and fastavro's writers make one per block), its CRCs checked. */
export async function bzip2Block(block: Buffer): Promise<Buffer> {
  const decoder = await (bunzip ??= import('seek-bzip').then((m) => m.default));
  try {
    return decoder.decode(block);
  } catch (error) {
    throw new Error(`a bzip2 block is corrupt or cut short (${(error as Error).message})`);
  }
}

/** xz-embedded's `xz_ret` codes that end a stream early, as words. */
const XZ_FAILURES: Record<string, string> = {
  '2': 'uses an integrity check the decoder does not know',
  '3': 'needs more memory than the decoder may take',
  '4': 'needs a larger dictionary than the decoder allows',
  '5': 'is not in the xz format',
  '6': 'uses xz options the decoder does not know',
  '7': 'is corrupt',
  '8': 'is cut short',
};

/** An xz block is one .xz stream (Java's XZCompressorOutputStream, Python's lzma), its check verified by the decoder. */
export async function xzBlock(block: Buffer): Promise<Buffer> {
  // A CommonJS (webpack UMD) module: Node gives its exports as the default export only.
  const { XzReadableStream } = await (xz ??= import('xz-decompress').then((m: XzModule & { default?: XzModule }) => m.default ?? m));
  try {
    const plain = new Response(new XzReadableStream(new Blob([block]).stream()));
    return Buffer.from(await plain.arrayBuffer());
  } catch (error) {
    const code = /error code (\d+)/.exec((error as Error).message)?.[1] ?? '';
    throw new Error(`an xz block ${XZ_FAILURES[code] ?? `cannot be read (${(error as Error).message})`}`);
  }
}

const callback =
  (decode: (block: Buffer) => Buffer | Promise<Buffer>): Codec =>
  (block, done) => {
    let data: Buffer | Promise<Buffer>;
    try {
      data = decode(block);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (Buffer.isBuffer(data)) done(null, data);
    else data.then((d) => done(null, d), (error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  };

/** For avsc's decoder, beside the codecs it has. */
export const EXTRA_CODECS: Record<string, Codec> = {
  snappy: callback(snappyBlock),
  zstandard: callback(zstandardBlock),
  bzip2: callback(bzip2Block),
  xz: callback(xzBlock),
};

/** Every codec name of Avro's spec, all of which landfall reads; another name is refused by name. */
export const AVRO_CODECS = ['null', 'deflate', ...Object.keys(EXTRA_CODECS)];
