// Reads and checks a CSV file's header (its first record) from the head bytes, without reading the rows.
import { constants, gunzipSync } from 'node:zlib';
import { TerminalError } from '../errors.js';
import { CSV_PROBLEMS, CsvSyntaxError, firstRecord } from './csv-lexer.js';
import { MAX_COLUMNS, MAX_COLUMN_NAME_CHARS, MAX_LINE_BYTES } from './limits.js';
import type { FileSource } from './source.js';

/** Columns every landfall table has; a file may not bring its own. */
export const RESERVED_COLUMNS = ['_extra', '_load_id'] as const;

const FIRST_READ_BYTES = 64 * 1024;

/** Column names are matched case-insensitively everywhere (DuckDB identifiers are; BigQuery columns are). */
export function foldName(name: string): string {
  return name.toLowerCase();
}

/** Plain head bytes, decompressing a gzip head as far as it goes (a cut-off stream is expected here). */
function plainHead(raw: Buffer, compressed: boolean, file: string): Buffer {
  if (!compressed) return raw;
  try {
    return gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    throw new TerminalError(`${file} line 1: not a valid gzip file (${(error as Error).message})`, { file, line: 1 }, error);
  }
}

/**
 * The column names of the file's first record, reading more of the head until the record ends. A header is held to
 * the line limit like every other line, and one that breaks a CSV rule (a lone CR, a NUL, bad UTF-8) fails here, at once.
 */
export async function readHeader(source: FileSource, options: { delimiter: string; compressed: boolean }): Promise<string[]> {
  const file = source.name;
  if (source.bytes === 0) {
    throw new TerminalError(`${file} line 1: the file is empty (0 bytes); expected a header line`, { file, line: 1 });
  }
  for (let length = FIRST_READ_BYTES; ; length *= 2) {
    const raw = await source.readHead(length);
    const whole = raw.length >= source.bytes;
    const head = plainHead(raw, options.compressed, file);
    let first: ReturnType<typeof firstRecord>;
    try {
      first = firstRecord(head, options.delimiter, whole);
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      throw new TerminalError(`${file} line ${error.line}: ${error.what}`, { file, line: error.line }, error);
    }
    // Names are trimmed of surrounding whitespace: `id ` and `id` are one column, in a new table and against an old one.
    if (first !== undefined) return first.record.fields.map((name) => name.trim());
    if (head.length > MAX_LINE_BYTES) {
      throw new TerminalError(`${file} line 1: ${CSV_PROBLEMS.tooLong}`, { file, line: 1 });
    }
  }
}

/** Where a file's field names come from, for messages: a CSV header (line 1), or keys first seen on some line. */
export interface NameOrigin {
  /** `column 3 of the header`, `key 3 (first on line 7)`. */
  label(column: number): string;
  /** What holds the names: `the header`, `the file's keys`. */
  whole: string;
  /** The line a message names for the field at this 0-based index (undefined: none, as in a Parquet schema). */
  lineOf(index: number): number | undefined;
}

export const HEADER_ORIGIN: NameOrigin = { label: (column) => `column ${column}`, whole: 'the header', lineOf: () => 1 };

/** A control character (NUL, a line break) cannot be written as a warehouse column name. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Why `name` cannot be a landfall column on any warehouse (the rules a header name is held to: empty, a control
 * character, too long, reserved), or undefined. The phrase completes "the name …".
 */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'is empty';
  if (CONTROL_CHARACTER.test(name)) return `${JSON.stringify(name)} contains a control character`;
  const chars = [...name].length;
  if (chars > MAX_COLUMN_NAME_CHARS) return `${JSON.stringify(name.slice(0, 40))}… is ${chars} characters long, more than the ${MAX_COLUMN_NAME_CHARS} a column name may have`;
  if ((RESERVED_COLUMNS as readonly string[]).includes(foldName(name))) return `"${name}" is reserved by landfall for its own use (${RESERVED_COLUMNS.join(', ')})`;
  return undefined;
}

/**
 * Rejects empty, duplicate (case-insensitive) and reserved column names, names over 300 characters and headers over
 * 10,000 columns (BigQuery's limits, kept on every backend), naming the columns involved.
 */
export function checkHeader(names: readonly string[], file: string, origin: NameOrigin = HEADER_ORIGIN): void {
  const at = (index: number) => {
    const line = origin.lineOf(index);
    return { prefix: line === undefined ? `${file}:` : `${file} line ${line}:`, context: { file, ...(line === undefined ? {} : { line }) } };
  };
  if (names.length > MAX_COLUMNS) {
    const { prefix, context } = at(0);
    throw new TerminalError(`${prefix} ${origin.whole} has ${names.length} columns, more than the ${MAX_COLUMNS} a table may have`, context);
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const column = index + 1;
    const label = origin.label(column);
    const fail = (what: string) => {
      const { prefix, context } = at(index);
      throw new TerminalError(`${prefix} ${what}`, context);
    };
    if (name.trim() === '') fail(`${label}${origin === HEADER_ORIGIN ? ' of the header' : ''} has an empty name`);
    if (CONTROL_CHARACTER.test(name)) fail(`${label}'s name ${JSON.stringify(name)} contains a control character`);
    const chars = [...name].length;
    if (chars > MAX_COLUMN_NAME_CHARS) {
      fail(`${label}'s name (${JSON.stringify(name.slice(0, 40))}…) is ${chars} characters long, more than the ${MAX_COLUMN_NAME_CHARS} a column name may have`);
    }
    const folded = foldName(name);
    if ((RESERVED_COLUMNS as readonly string[]).includes(folded)) {
      fail(`${label} is named "${name}", which landfall reserves for its own use (${RESERVED_COLUMNS.join(', ')})`);
    }
    const first = seen.get(folded);
    if (first !== undefined) {
      const which = origin === HEADER_ORIGIN ? `columns ${first} and ${column}` : `${origin.label(first)} and ${label}`;
      fail(`duplicate column name "${name}" (${which}; names are compared case-insensitively)`);
    }
    seen.set(folded, column);
  });
}
