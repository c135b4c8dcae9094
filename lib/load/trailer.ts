// Finds a trailer file's last non-empty line (text, byte offset, line number where cheap): from the tail, or streamed for gzip.
import { TerminalError } from '../errors.js';
import { MAX_LINE_BYTES } from './limits.js';
import type { FileSource } from './source.js';

export interface TrailerLine {
  /** Offset of the line's first byte in the plain content: the rows end here. */
  offset: number;
  /**
   * 1-based physical line number, when it came for free: a streamed pass, or a tail read that covered the whole
   * file. Undefined for a large plain file (counting would read all of it); messages then say "last line".
   */
  lineNumber?: number;
  /** The line without its line end. */
  text: string;
}

const NEWLINE = 0x0a;
/** The first tail read; doubled while the last line starts before it (a long trailer, or trailing blank lines). */
export const TAIL_READ_BYTES = 64 * 1024;

function hasContent(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return true;
  }
  return false;
}

function noTrailer(file: string): TerminalError {
  return new TerminalError(`${file}: no trailer line: the file has no line after its header`, { file, line: 1 });
}

/** Holds the chunks from the latest non-empty line on, so its text survives the pass. */
class Window {
  private chunks: { at: number; bytes: Buffer }[] = [];

  add(at: number, bytes: Buffer): void {
    this.chunks.push({ at, bytes });
  }

  dropBefore(offset: number): void {
    while (this.chunks.length > 1 && this.chunks[0]!.at + this.chunks[0]!.bytes.length <= offset) this.chunks.shift();
  }

  text(from: number, to: number): string {
    const parts = this.chunks.map(({ at, bytes }) => bytes.subarray(Math.max(0, from - at), Math.max(0, to - at)));
    return Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
  }
}

/** The last non-empty line of a stream (lines end with `\n`; a final line may lack it), in one pass. */
export async function locateTrailer(stream: AsyncIterable<Buffer>, file: string): Promise<TrailerLine> {
  const window = new Window();
  let at = 0;
  let lineStart = 0;
  let lineNumber = 1;
  let lineHasContent = false;
  let last: { start: number; end: number; lineNumber: number } | undefined;
  const endLine = (end: number) => {
    if (lineHasContent) last = { start: lineStart, end, lineNumber };
  };
  for await (const chunk of stream) {
    window.add(at, chunk);
    for (let pos = 0; ; ) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const end = nl < 0 ? chunk.length : nl;
      lineHasContent ||= hasContent(chunk, pos, end);
      if (nl < 0) break;
      endLine(at + nl);
      lineStart = at + nl + 1;
      lineNumber++;
      lineHasContent = false;
      pos = nl + 1;
    }
    at += chunk.length;
    window.dropBefore(last?.start ?? 0);
  }
  endLine(at);
  if (!last || last.lineNumber === 1) throw noTrailer(file);
  return { offset: last.start, lineNumber: last.lineNumber, text: window.text(last.start, last.end) };
}

/**
 * The last non-empty line within `tail` (the file's last bytes, starting at file offset `base`), or undefined when
 * that line may start before the tail (read more). Its start is known once a newline precedes it, or the tail is
 * the whole file.
 */
export function lastLineIn(tail: Buffer, base: number): { start: number; end: number } | 'none' | undefined {
  for (let end = tail.length; ; ) {
    const nl = end === 0 ? -1 : tail.lastIndexOf(NEWLINE, end - 1);
    if (hasContent(tail, nl + 1, end)) return nl < 0 && base > 0 ? undefined : { start: nl + 1, end };
    if (nl < 0) return base > 0 ? undefined : 'none';
    end = nl;
  }
}

/**
 * The trailer of a plain (uncompressed) file from ranged reads of its end: 64 KiB, doubled while the last line
 * starts before the bytes read, up to the longest line landfall reads. The file is never read whole.
 */
export async function trailerFromTail(source: FileSource): Promise<TrailerLine> {
  const file = source.name;
  for (let length = TAIL_READ_BYTES; ; length *= 2) {
    const tail = await source.readTail(Math.min(length, source.bytes));
    const base = source.bytes - tail.length;
    const line = lastLineIn(tail, base);
    if (line === 'none') throw noTrailer(file);
    if (line !== undefined) {
      if (base + line.start === 0) throw noTrailer(file);
      const text = tail.subarray(line.start, line.end).toString('utf8').replace(/\r$/, '');
      // The whole file is in hand: its line number costs a count of the newlines before the trailer.
      const lineNumber = base === 0 ? countNewlines(tail, 0, line.start) + 1 : undefined;
      return { offset: base + line.start, text, ...(lineNumber === undefined ? {} : { lineNumber }) };
    }
    if (length >= MAX_LINE_BYTES) {
      throw new TerminalError(`${file}: the trailer (last line) is longer than ${MAX_LINE_BYTES} bytes`, { file });
    }
  }
}

/** Newlines in `bytes[from, to)`. */
export function countNewlines(bytes: Buffer, from = 0, to = bytes.length): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE, from); i >= 0 && i < to; i = bytes.indexOf(NEWLINE, i + 1)) count++;
  return count;
}
