// landfall's CSV rules, byte by byte: where records and lines are, their values, and why a file breaks them.
import { MAX_LINE_BYTES } from './limits.js';

/** One record of the file, as landfall reads it. */
export interface CsvRecord {
  /** The physical line (an editor's numbering, from 1) where the record starts. */
  line: number;
  fields: string[];
}

/** The file breaks one of landfall's CSV rules at `line` (physical). */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly what: string,
  ) {
    super(`line ${line}: ${what}`);
    this.name = 'CsvSyntaxError';
  }
}

export const CSV_PROBLEMS = {
  unclosedQuote: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)',
  loneCr: 'a lone carriage return (CR) outside quotes ends no line (old Mac files end every line so): quote the value that holds it, or end lines with LF or CRLF',
  nul: 'the line holds a NUL byte (0x00), which no warehouse column may hold',
  utf8: 'the bytes are not valid UTF-8 (files must be UTF-8 encoded)',
  tooLong: `the line is longer than the ${MAX_LINE_BYTES}-byte limit`,
} as const;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just past a quote inside a quoted value: the closing quote, or the first half of `""`. */
const QUOTED_QUOTE = 3;

/**
 * The rules (docs/spec.md, "How a CSV file is read"): UTF-8, a BOM at the start dropped; records end at LF or CRLF
 * outside quotes, and a CR at the very end of the file ends the last line too; any other CR outside quotes breaks the
 * file. A value that starts with `"` is quoted: `""` inside is one quote, delimiters and line breaks are its own, and
 * after the closing quote comes a delimiter or a line end. A quote inside an unquoted value is a literal. A blank line
 * after the first is no record; the first line is always the header. The delimiter is one character of 1–4 bytes.
 */
export class CsvLexer {
  private line = 1;
  private recordLine = 1;
  private state = FIELD_START;
  private pendingCr = false;
  private delimiterMatched = 0;
  /** Bytes of the record so far that are not line-end bytes: none means a blank line. */
  private content = 0;
  private recordBytes = 0;
  private fields: string[] = [];
  private value = Buffer.allocUnsafe(256);
  private valueLength = 0;
  private bomMatched = 0;
  private records = 0;
  private stopped = false;
  private readonly delimiter: Buffer;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    delimiter: string,
    private readonly onRecord: (record: CsvRecord) => boolean | void,
  ) {
    this.delimiter = Buffer.from(delimiter, 'utf8');
  }

  /**
   * Reads `chunk`, calling `onRecord` for each record it ends; throws CsvSyntaxError at the first broken rule. When
   * `onRecord` returns true, reading stops there: the result is the index just past that record's line end (else -1).
   */
  push(chunk: Buffer): number {
    let i = 0;
    for (; i < chunk.length && this.bomMatched < BOM.length; i++) {
      if (chunk[i] === BOM[this.bomMatched]) this.bomMatched++;
      else {
        this.unreadBom();
        this.step(chunk[i]!);
      }
    }
    for (; i < chunk.length && !this.stopped; i++) this.step(chunk[i]!);
    return this.stopped ? i : -1;
  }

  /** The end of the file: the last record (which needs no line end), or the rule an open quote breaks. */
  end(): void {
    this.unreadBom();
    if (this.state === QUOTED || (this.state === QUOTED_QUOTE && this.delimiterMatched > 0)) {
      throw new CsvSyntaxError(this.recordLine, CSV_PROBLEMS.unclosedQuote);
    }
    // A CR at the very end of the file ends the last line.
    this.pendingCr = false;
    if (this.content > 0 || this.records === 0) this.endRecord();
  }

  /** A file that began with part of a BOM (or none): those bytes were the first value's. */
  private unreadBom(): void {
    if (this.bomMatched === BOM.length) return;
    const bytes = BOM.slice(0, this.bomMatched);
    this.bomMatched = BOM.length;
    for (const b of bytes) this.step(b);
  }

  private step(b: number): void {
    if (++this.recordBytes > MAX_LINE_BYTES) throw new CsvSyntaxError(this.recordLine, CSV_PROBLEMS.tooLong);
    if (b === 0) throw new CsvSyntaxError(this.line, CSV_PROBLEMS.nul);
    // A UTF-16 file's first byte: it fails as what it is, before the NULs of its text could.
    if (this.records === 0 && this.recordBytes === 1 && (b === 0xff || b === 0xfe)) throw new CsvSyntaxError(1, CSV_PROBLEMS.utf8);
    if (this.pendingCr) {
      this.pendingCr = false;
      if (b !== LF) throw new CsvSyntaxError(this.line, CSV_PROBLEMS.loneCr);
      this.endLine();
      return;
    }
    if (this.state === QUOTED) {
      if (b === QUOTE) this.state = QUOTED_QUOTE;
      else this.append(b);
      if (b === LF) this.line++;
      return;
    }
    if (this.state === QUOTED_QUOTE && b === QUOTE && this.delimiterMatched === 0) {
      this.append(b);
      this.state = QUOTED;
      return;
    }
    this.outside(b);
  }

  /** A byte outside quotes (or just after a closing quote). */
  private outside(b: number): void {
    const d = this.delimiter;
    if (this.delimiterMatched > 0 && b !== d[this.delimiterMatched]) {
      // The bytes matched so far were not a delimiter after all: they are the value's (never after a closing quote).
      if (this.state === QUOTED_QUOTE) throw new CsvSyntaxError(this.recordLine, CSV_PROBLEMS.unclosedQuote);
      this.delimiterMatched = 0;
    }
    if (b === d[this.delimiterMatched]) {
      this.content++;
      if (++this.delimiterMatched < d.length) {
        if (this.state !== QUOTED_QUOTE) {
          this.append(b);
          this.state = UNQUOTED;
        }
        return;
      }
      if (this.state !== QUOTED_QUOTE) this.valueLength -= d.length - 1;
      this.delimiterMatched = 0;
      this.endField();
      return;
    }
    if (b === LF) return this.endLine();
    if (b === CR) {
      this.pendingCr = true;
      return;
    }
    if (this.state === QUOTED_QUOTE) throw new CsvSyntaxError(this.recordLine, CSV_PROBLEMS.unclosedQuote);
    this.content++;
    if (b === QUOTE && this.state === FIELD_START) {
      this.state = QUOTED;
      return;
    }
    this.state = UNQUOTED;
    this.append(b);
  }

  private append(b: number): void {
    if (this.valueLength === this.value.length) {
      const grown = Buffer.allocUnsafe(this.value.length * 2);
      this.value.copy(grown, 0, 0, this.valueLength);
      this.value = grown;
    }
    this.value[this.valueLength++] = b;
  }

  private endField(): void {
    try {
      this.fields.push(this.decoder.decode(this.value.subarray(0, this.valueLength)));
    } catch {
      throw new CsvSyntaxError(this.recordLine, CSV_PROBLEMS.utf8);
    }
    this.valueLength = 0;
    this.state = FIELD_START;
  }

  private endLine(): void {
    this.line++;
    // A blank line is no record, except the first line, which is the header whatever it holds.
    if (this.content > 0 || this.records === 0) this.endRecord();
    this.recordLine = this.line;
    this.recordBytes = 0;
  }

  private endRecord(): void {
    this.endField();
    const record = { line: this.recordLine, fields: this.fields };
    this.fields = [];
    this.content = 0;
    this.records++;
    this.stopped = this.onRecord(record) === true;
  }
}

/** Every record of a byte stream, read by landfall's rules; a broken rule is a CsvSyntaxError. */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, delimiter: string): AsyncGenerator<CsvRecord> {
  const ready: CsvRecord[] = [];
  const lexer = new CsvLexer(delimiter, (record) => {
    ready.push(record);
  });
  // The records a chunk ended before a broken rule come first: a reader may find its problem in one of them.
  const read = function* (step: () => void): Generator<CsvRecord> {
    let broken: unknown;
    try {
      step();
    } catch (error) {
      broken = error;
    }
    yield* ready.splice(0);
    if (broken !== undefined) throw broken;
  };
  for await (const chunk of chunks) yield* read(() => lexer.push(chunk));
  yield* read(() => lexer.end());
}

/**
 * The first record of `head` and the offset just past its line end; undefined when the head ends before it does (or,
 * with `whole`, the head is the whole file and its one record needs no line end). Throws CsvSyntaxError when the head
 * breaks a rule first.
 */
export function firstRecord(head: Buffer, delimiter: string, whole = false): { record: CsvRecord; end: number } | undefined {
  let record: CsvRecord | undefined;
  const lexer = new CsvLexer(delimiter, (r) => {
    record = r;
    return true;
  });
  const end = lexer.push(head);
  if (record !== undefined) return { record, end };
  if (!whole) return undefined;
  lexer.end();
  return record === undefined ? undefined : { record, end: head.length };
}
