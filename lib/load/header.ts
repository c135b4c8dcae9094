// Reads and checks a CSV file's header (its first record) from the head bytes, without reading the rows.
import { constants, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { TerminalError } from '../errors.js';
import { firstRecordEnd } from './csv-scan.js';
import { bareCarriageReturn, loneCrError } from './line-endings.js';
import type { FileSource } from './source.js';

/** Columns every landfall table has; a file may not bring its own. */
export const RESERVED_COLUMNS = ['_extra', '_load_id'] as const;

const FIRST_READ_BYTES = 64 * 1024;
/** The longest line (header or row) landfall reads: 10 MB values fit; DuckDB reads a buffer this size per thread. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** BigQuery's own limits on a table (docs, "Quotas and limits"): a file within them loads on every backend. */
export const MAX_COLUMNS = 10_000;
export const MAX_COLUMN_NAME_CHARS = 300;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

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

function tooLong(file: string): TerminalError {
  return new TerminalError(`${file} line 1: the line is longer than the ${MAX_LINE_BYTES}-byte limit`, { file, line: 1 });
}

/**
 * The header line's bytes (BOM and line end removed), reading more of the head until the record ends. A header is
 * held to the line limit like every other line, and a file whose lines end in a lone CR fails here, at once.
 */
async function headerBytes(source: FileSource, compressed: boolean, delimiter: string): Promise<Buffer> {
  const file = source.name;
  if (source.bytes === 0) {
    throw new TerminalError(`${file} line 1: the file is empty (0 bytes); expected a header line`, { file, line: 1 });
  }
  for (let length = FIRST_READ_BYTES; ; length *= 2) {
    const raw = await source.readHead(length);
    const whole = raw.length >= source.bytes;
    let head = plainHead(raw, compressed, file);
    if (head.subarray(0, 3).equals(BOM)) head = head.subarray(3);
    const end = firstRecordEnd(head, delimiter);
    const line = end >= 0 ? head.subarray(0, end) : head;
    if (bareCarriageReturn(line, delimiter) >= 0) throw loneCrError(file);
    if (line.length > MAX_LINE_BYTES) throw tooLong(file);
    if (end >= 0 || whole) return line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
  }
}

/** The column names of the file's first record. */
export async function readHeader(source: FileSource, options: { delimiter: string; compressed: boolean }): Promise<string[]> {
  const file = source.name;
  const bytes = await headerBytes(source, options.compressed, options.delimiter);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TerminalError(`${file} line 1: the header is not valid UTF-8`, { file, line: 1 });
  }
  if (text.length === 0) return [''];
  let records: string[][];
  try {
    records = parse(text, { delimiter: options.delimiter, quote: '"', escape: '"', relax_column_count: false });
  } catch (error) {
    throw new TerminalError(`${file} line 1: the header is not valid CSV (${(error as Error).message})`, { file, line: 1 }, error);
  }
  // Names are trimmed of surrounding whitespace: `id ` and `id` are one column, in a new table and against an old one.
  return (records[0] ?? ['']).map((name) => name.trim());
}

/**
 * Rejects empty, duplicate (case-insensitive) and reserved column names, names over 300 characters and headers over
 * 10,000 columns (BigQuery's limits, kept on every backend), naming the columns involved.
 */
export function checkHeader(names: readonly string[], file: string): void {
  if (names.length > MAX_COLUMNS) {
    throw new TerminalError(`${file} line 1: the header has ${names.length} columns, more than the ${MAX_COLUMNS} a table may have`, { file, line: 1 });
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const column = index + 1;
    const fail = (what: string) => {
      throw new TerminalError(`${file} line 1: ${what}`, { file, line: 1 });
    };
    if (name.trim() === '') fail(`column ${column} of the header has an empty name`);
    // A control character (NUL, a line break) cannot be written as a warehouse column name.
    if (/[\u0000-\u001f\u007f]/.test(name)) fail(`column ${column}'s name ${JSON.stringify(name)} contains a control character`);
    const chars = [...name].length;
    if (chars > MAX_COLUMN_NAME_CHARS) {
      fail(`column ${column}'s name (${JSON.stringify(name.slice(0, 40))}…) is ${chars} characters long, more than the ${MAX_COLUMN_NAME_CHARS} a column name may have`);
    }
    const folded = foldName(name);
    if ((RESERVED_COLUMNS as readonly string[]).includes(folded)) {
      fail(`column ${column} is named "${name}", which landfall reserves for its own use (${RESERVED_COLUMNS.join(', ')})`);
    }
    const first = seen.get(folded);
    if (first !== undefined) {
      fail(`duplicate column name "${name}" (columns ${first} and ${column}; names are compared case-insensitively)`);
    }
    seen.set(folded, column);
  });
}
