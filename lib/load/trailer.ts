// Finds a trailer file's last non-empty line: its text, byte offset and line number, in one streamed pass.
import { TerminalError } from '../errors.js';

export interface TrailerLine {
  /** Offset of the line's first byte in the plain content: the rows end here. */
  offset: number;
  /** 1-based physical line number. */
  lineNumber: number;
  /** The line without its line end. */
  text: string;
}

const NEWLINE = 0x0a;

function hasContent(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return true;
  }
  return false;
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

/** The last non-empty line of a stream (lines end with `\n`; a final line may lack it). */
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
  if (!last || last.lineNumber === 1) {
    throw new TerminalError(`${file}: no trailer line: the file has no line after its header`, { file, line: 1 });
  }
  return { offset: last.start, lineNumber: last.lineNumber, text: window.text(last.start, last.end) };
}
