// NUL bytes: DuckDB loads them inside values, BigQuery refuses them; landfall fails the file on both, naming the line.
import { open } from 'node:fs/promises';
import { TerminalError, type ErrorContext } from '../errors.js';
import { countNewlines } from './trailer.js';

const SCAN_BYTES = 1024 * 1024;

/** Reads the file in chunks until `visit` returns true (stop) or the file ends. */
export async function eachChunk(path: string, visit: (chunk: Buffer, position: number) => boolean): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SCAN_BYTES);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, SCAN_BYTES, position);
      if (bytesRead === 0 || visit(buffer.subarray(0, bytesRead), position)) return;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The physical line of the first NUL byte in the file, or undefined. DuckDB loads a NUL inside a value, which BigQuery
 * refuses; one pass of memchr over the file (run beside the insert) keeps the backends in agreement. Lines are
 * counted only when there is one.
 */
export async function firstNulLine(path: string): Promise<number | undefined> {
  let offset: number | undefined;
  await eachChunk(path, (chunk, position) => {
    offset = nulIn(chunk, position);
    return offset !== undefined;
  });
  return offset === undefined ? undefined : lineOf(path, offset);
}

/** The file offset of the chunk's first NUL byte, or undefined. */
export function nulIn(chunk: Buffer, position: number): number | undefined {
  const at = chunk.indexOf(0);
  return at < 0 ? undefined : position + at;
}

/** The physical line holding byte `offset`. */
export async function lineOf(path: string, offset: number): Promise<number> {
  let newlines = 0;
  await eachChunk(path, (chunk, position) => {
    newlines += countNewlines(chunk, 0, Math.min(chunk.length, offset - position));
    return position + chunk.length >= offset;
  });
  return newlines + 1;
}

/** The failure a NUL byte is, on every backend. */
export function nulByteError(file: string, line: number, context: ErrorContext = {}): TerminalError {
  return new TerminalError(`${file} line ${line}: the line holds a NUL byte (0x00), which no warehouse column may hold`, { ...context, file, line });
}
