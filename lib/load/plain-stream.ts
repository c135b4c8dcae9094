// Streams a source's uncompressed bytes, and copies a prefix of them (a trailer file without its trailer).
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TerminalError } from '../errors.js';
import type { FileSource } from './source.js';
import { countNewlines } from './trailer.js';

const CHUNK_BYTES = 1024 * 1024;

/** The file's content as a stream of plain bytes: gunzipped for `.gz`, as-is otherwise. */
export async function openPlainStream(source: FileSource, compressed: boolean): Promise<Readable> {
  const raw = createReadStream(await source.localPath(), { highWaterMark: CHUNK_BYTES });
  if (!compressed) return raw;
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  raw.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', () => raw.destroy());
  return raw.pipe(gunzip);
}

/** Wraps a gzip failure in the file's terms; other errors pass through. */
export function gzipError(error: unknown, file: string): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (!code.startsWith('Z_')) return error;
  return new TerminalError(`${file}: not a valid gzip file (${(error as Error).message})`, { file }, error);
}

/** Yields the first `endOffset` plain bytes of the stream, then stops reading (a trailer line is never read as a row). */
export async function* plainPrefix(stream: Readable, endOffset: number): AsyncGenerator<Buffer> {
  let remaining = endOffset;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (remaining <= 0) break;
    const part = chunk.length <= remaining ? chunk : chunk.subarray(0, remaining);
    remaining -= part.length;
    yield part;
  }
  stream.destroy();
}

/** Counts the newlines of the chunks passing through: the copy learns the trailer's line number for free. */
async function* counted(chunks: AsyncIterable<Buffer>, count: { newlines: number }): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    count.newlines += countNewlines(chunk);
    yield chunk;
  }
}

export interface PlainCopyOptions {
  compressed: boolean;
  /** Where the rows end (a trailer starts); the whole file when absent. */
  endOffset?: number;
}

/**
 * Writes the source's plain bytes up to `endOffset` to `destination` (streamed, never whole in memory) and returns
 * how many newlines they hold: the physical line a trailer at `endOffset` is on, less one.
 */
export async function copyPlainPrefix(source: FileSource, destination: string, options: PlainCopyOptions): Promise<{ newlines: number }> {
  const stream = await openPlainStream(source, options.compressed);
  const count = { newlines: 0 };
  const prefix = plainPrefix(stream, options.endOffset ?? Number.POSITIVE_INFINITY);
  try {
    await pipeline(counted(prefix, count), createWriteStream(destination));
  } catch (error) {
    throw gzipError(error, source.name);
  }
  return count;
}
