// Line endings outside quoted values: lone CR files, a CR that ends nothing, LF and CRLF mixed in one file.
import { Transform, type TransformCallback } from 'node:stream';
import { TerminalError } from '../errors.js';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** Index of the first CR outside quotes that is not followed by LF (a CR at the very end is not judged), or -1. */
export function bareCarriageReturn(bytes: Buffer, delimiter: string): number {
  const scanner = new LineEndScanner(delimiter);
  for (let i = 0; i < bytes.length - 1; i++) {
    if (scanner.step(bytes[i]!) && bytes[i] === CR && bytes[i + 1] !== LF) return i;
  }
  return -1;
}

export function loneCrError(file: string): TerminalError {
  return new TerminalError(
    `${file} line 1: the lines end in a lone carriage return (CR, as old Mac files do); landfall reads LF or CRLF line endings: convert the file (e.g. tr '\\r' '\\n')`,
    { file, line: 1 },
  );
}

/**
 * The RFC 4180 quote state, byte by byte: `step` says whether the byte stands outside a quoted value. A `""`
 * inside quotes is an escaped quote; a quote that does not open a field is part of an unquoted value.
 */
class LineEndScanner {
  private quoted = false;
  /** The last byte closed a quoted value: a quote now is the second half of `""`. */
  private closed = false;
  private fieldStart = true;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    const bytes = Buffer.from(delimiter, 'utf8');
    this.delimiter = bytes.length === 1 ? bytes[0]! : -1;
  }

  step(b: number): boolean {
    if (this.quoted) {
      this.quoted = b !== QUOTE;
      this.closed = b === QUOTE;
      return false;
    }
    const reopens = this.closed && b === QUOTE;
    this.closed = false;
    if (reopens || (b === QUOTE && this.fieldStart)) {
      this.quoted = true;
      this.fieldStart = false;
      return false;
    }
    this.fieldStart = b === this.delimiter || b === LF || b === CR;
    return true;
  }
}

export type LineEndingProblem = { kind: 'mixed'; line: number } | { kind: 'bare-cr'; line: number };

/**
 * Reads a whole file: the first line whose ending differs from the first line's (LF against CRLF), or the first CR
 * outside quotes that ends no line. Lines are physical (an editor's numbering, from 1).
 */
export async function findLineEndingProblem(stream: AsyncIterable<Buffer>, delimiter: string): Promise<LineEndingProblem | undefined> {
  const scanner = new LineEndScanner(delimiter);
  let line = 1;
  let first: boolean | undefined;
  let mixedAt: number | undefined;
  let pendingCr = false;
  for await (const chunk of stream) {
    for (const b of chunk) {
      const outside = scanner.step(b);
      if (pendingCr && b !== LF) return { kind: 'bare-cr', line };
      if (b === LF) {
        if (outside) {
          first ??= pendingCr;
          if (first !== pendingCr) mixedAt ??= line;
        }
        line++;
      }
      pendingCr = outside && b === CR;
    }
  }
  return mixedAt === undefined ? undefined : { kind: 'mixed', line: mixedAt };
}

/** Drops the CR of every CRLF outside quoted values, so a file that mixes LF and CRLF reads as all LF; values keep their bytes. */
export function normalizeLineEnds(delimiter: string): Transform {
  const scanner = new LineEndScanner(delimiter);
  let heldCr = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const out = Buffer.allocUnsafe(chunk.length + 1);
      let n = 0;
      for (const b of chunk) {
        const outside = scanner.step(b);
        if (heldCr && b !== LF) out[n++] = CR;
        heldCr = outside && b === CR;
        if (!heldCr) out[n++] = b;
      }
      done(null, out.subarray(0, n));
    },
    flush(done: TransformCallback) {
      done(null, heldCr ? Buffer.from([CR]) : undefined);
    },
  });
}
