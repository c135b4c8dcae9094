// The block codecs of Avro's spec, every one of which landfall reads: null, deflate, snappy, zstandard, bzip2, xz.
// Each decoder stops where its output would pass a limit, and at most two expanded blocks are held at a time, so a
// small file cannot expand into the loader's memory.
import { createRequire } from 'node:module';
import { crc32, inflateRaw } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

/**
 * How far one block may expand. Writers make blocks of 16–64 KiB by default (fastavro, Java's DataFileWriter), so
 * this is far beyond a real file and far below the loader's memory.
 */
export const EXPANSION_LIMIT = 64 * 1024 ** 2;

/** A block that expands past the limit: a decompression bomb, or a block far larger than any writer makes. */
export class ExpansionLimitError extends Error {
  constructor(codec: string, limit: number) {
    super(`a ${codec} block expands past ${limit % 1024 ** 2 === 0 ? `${limit / 1024 ** 2} MiB` : `${limit} bytes`} (a decompression bomb, or a block far larger than Avro writers make); landfall stops there`);
  }
}

type Decode = (block: Buffer, limit: number) => Buffer | Promise<Buffer>;
type Codec = (block: Buffer, done: (error: Error | null, data?: Buffer) => void) => void;

/** Thrown by a decoder whose output would pass its limit; `avroCodecs` names the codec and the limit. */
class PastLimit extends Error {}

/** deflate, as avsc's own codec, with Node's cap on the output. */
function deflateBlock(block: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    inflateRaw(block, { maxOutputLength: limit }, (error, data) => {
      if (!error) resolve(data);
      else reject((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? new PastLimit() : error);
    }),
  );
}

/** snappy is a native binding (outside the functions' bundle): loaded the first time a snappy block is read, not at start-up. */
let snappy: typeof import('snappy') | undefined;
const snappyBinding = () => (snappy ??= createRequire(import.meta.url)('snappy') as typeof import('snappy'));

/** A snappy stream starts with its plain length, a little-endian base-128 varint. */
function snappyLength(data: Buffer): number {
  let length = 0;
  for (let i = 0, shift = 1; i < 5 && i < data.length; i++, shift *= 128) {
    length += (data[i]! & 0x7f) * shift;
    if (data[i]! < 0x80) return length;
  }
  throw new Error('a snappy block does not start with its length');
}

/**
 * Avro's snappy block is the compressed data and then the uncompressed data's CRC-32, four bytes big-endian. A block
 * whose checksum does not match is corrupt, not records to load.
 */
function snappyBlock(block: Buffer, limit: number): Buffer {
  if (block.length < 4) throw new Error('a snappy block shorter than its checksum');
  const compressed = block.subarray(0, block.length - 4);
  if (snappyLength(compressed) > limit) throw new PastLimit();
  const data = snappyBinding().uncompressSync(compressed, { asBuffer: true }) as Buffer;
  if (crc32(data) !== block.readUInt32BE(block.length - 4)) throw new Error('a snappy block does not match its checksum');
  return data;
}

/**
 * The most a zstandard block's frames can take, read from their headers (RFC 8878) before fzstd allocates anything:
 * each frame's window or declared size, or the sum of its blocks (raw and RLE sizes, at most 128 KiB or the window for
 * a compressed one), whichever is more. A walk cut short stops there and leaves the error to the decoder.
 */
export function zstandardBound(data: Buffer): number {
  let total = 0;
  for (let at = 0; at + 8 <= data.length; ) {
    const magic = data.readUInt32LE(at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      at += 8 + data.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== 0xfd2fb528) break;
    const descriptor = data[at + 4]!;
    const single = (descriptor & 0x20) !== 0;
    const sizeFlag = descriptor >> 6;
    let cursor = at + 5;
    let window = 0;
    if (!single) {
      const w = data[cursor++]!;
      const base = 2 ** (10 + (w >> 3));
      window = base + (base / 8) * (w & 7);
    }
    cursor += [0, 1, 2, 4][descriptor & 3]!;
    const sizeBytes = sizeFlag === 0 ? (single ? 1 : 0) : 2 ** sizeFlag;
    let declared = 0;
    for (let i = 0; i < sizeBytes && cursor + i < data.length; i++) declared += data[cursor + i]! * 2 ** (8 * i);
    if (sizeFlag === 1) declared += 256;
    cursor += sizeBytes;
    if (single) window = declared;
    let blocks = 0;
    for (let last = false; !last && cursor + 3 <= data.length; ) {
      const header = data.readUIntLE(cursor, 3);
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      blocks += type === 2 ? Math.min(131072, window) : size;
      cursor += 3 + (type === 1 ? 1 : size);
    }
    total += Math.max(window, declared, blocks);
    at = cursor + ((descriptor & 0x04) !== 0 ? 4 : 0);
  }
  return total;
}

/** A zstandard block is one or more zstd frames. */
function zstandardBlock(block: Buffer, limit: number): Buffer {
  if (zstandardBound(block) > limit) throw new PastLimit();
  const data = zstdDecompress(block);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** bzip2 and xz are rare in Avro files: their decoders load the first time such a block is read, not at start-up. */
let bunzip: Promise<(typeof import('seek-bzip'))['default']> | undefined;
type XzModule = typeof import('xz-decompress');
let xz: Promise<XzModule> | undefined;

/** seek-bzip's output: a buffer that doubles as it fills, up to the limit. */
function boundedOutput(limit: number) {
  return {
    buffer: Buffer.alloc(Math.min(limit, 16384)),
    pos: 0,
    writeByte(byte: number) {
      if (this.pos === this.buffer.length) {
        if (this.pos >= limit) throw new PastLimit();
        const grown = Buffer.alloc(Math.min(limit, this.buffer.length * 2));
        this.buffer.copy(grown);
        this.buffer = grown;
      }
      this.buffer[this.pos++] = byte;
    },
    getBuffer() {
      return this.buffer.subarray(0, this.pos);
    },
  };
}

/** A bzip2 block is one bzip2 stream (Java's and fastavro's writers make one per block), its CRCs checked. */
export async function bzip2Block(block: Buffer, limit = EXPANSION_LIMIT): Promise<Buffer> {
  const decoder = await (bunzip ??= import('seek-bzip').then((m) => m.default));
  try {
    return decoder.decode(block, boundedOutput(limit));
  } catch (error) {
    if (error instanceof PastLimit) throw error;
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
export async function xzBlock(block: Buffer, limit = EXPANSION_LIMIT): Promise<Buffer> {
  // A CommonJS (webpack UMD) module: Node gives its exports as the default export only.
  const { XzReadableStream } = await (xz ??= import('xz-decompress').then((m: XzModule & { default?: XzModule }) => m.default ?? m));
  const reader = (new XzReadableStream(new Blob([block]).stream()) as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      length += read.value.length;
      if (length > limit) throw new PastLimit();
      chunks.push(read.value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof PastLimit) throw error;
    const code = /error code (\d+)/.exec((error as Error).message)?.[1] ?? '';
    throw new Error(`an xz block ${XZ_FAILURES[code] ?? `cannot be read (${(error as Error).message})`}`);
  }
  return Buffer.concat(chunks, length);
}

/** The codecs that expand a block (null stores it as it is). */
const DECODERS: Record<string, Decode> = {
  deflate: deflateBlock,
  snappy: snappyBlock,
  zstandard: zstandardBlock,
  bzip2: bzip2Block,
  xz: xzBlock,
};

/** Every codec name of Avro's spec, all of which landfall reads; another name is refused by name. */
export const AVRO_CODECS = ['null', ...Object.keys(DECODERS)];

/** Expanded blocks held at once: the one being read, and the next, decompressed meanwhile. */
const HELD_BLOCKS = 2;

/**
 * The codecs for one file's decoder, and the call that says a block has been read. avsc decompresses every block that
 * one read of the file completes before it decodes any of them, and a 64 KiB read can hold a thousand bzip2 blocks of
 * 10 MiB each. So blocks are decompressed one after another, and one waits while two expanded blocks are unread: at
 * most 2 × `limit` bytes are held.
 */
export function avroCodecs(limit = EXPANSION_LIMIT): { codecs: Record<string, Codec>; blockRead: () => void } {
  let queue: Promise<void> = Promise.resolve();
  let unread = 0;
  let wake: (() => void) | undefined;
  const slot = () => (unread < HELD_BLOCKS ? undefined : new Promise<void>((resolve) => (wake = resolve)));
  const blockRead = () => {
    unread = Math.max(0, unread - 1);
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const codec =
    (name: string, decode: Decode): Codec =>
    (block, done) => {
      queue = queue.then(async () => {
        await slot();
        try {
          const data = await decode(block, limit);
          unread++;
          done(null, data);
        } catch (error) {
          done(error instanceof PastLimit ? new ExpansionLimitError(name, limit) : error instanceof Error ? error : new Error(String(error)));
        }
      });
    };
  const stored: Codec = (block, done) => done(null, block);
  const codecs = { null: stored, ...Object.fromEntries(Object.entries(DECODERS).map(([name, decode]) => [name, codec(name, decode)])) };
  return { codecs, blockRead };
}
