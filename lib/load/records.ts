// A file's data records from one streamed read, checked against its header: the reader behind every fallback path.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { TerminalError } from '../errors.js';
import { CsvSyntaxError, csvRecords } from './csv-lexer.js';
import type { CsvRecord } from './csv-lexer.js';
import { MAX_LINE_BYTES } from './limits.js';
import { gzipError, openPlainStream, plainPrefix } from './plain-stream.js';
import type { LoadJob } from './warehouse.js';

export interface RecordsOptions {
  file: string;
  table: string;
  delimiter: string;
  /** The header's number of fields: every row must have as many. */
  width: number;
}

/**
 * Yields the data records after the header, each with as many fields as the header; the first record that breaks a
 * rule is a TerminalError naming its physical line. Reads the whole stream: a fallback path, never the fast one.
 */
export async function* dataRecords(chunks: AsyncIterable<Buffer>, options: RecordsOptions): AsyncGenerator<CsvRecord> {
  const { file, table, width } = options;
  let header = true;
  try {
    for await (const record of csvRecords(chunks, options.delimiter)) {
      if (header) {
        header = false;
        continue;
      }
      if (record.fields.length !== width) {
        const what = `the row has ${record.fields.length} fields, but the header has ${width}`;
        throw new TerminalError(`${file} line ${record.line}: ${what}`, { file, table, line: record.line });
      }
      yield record;
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new TerminalError(`${file} line ${error.line}: ${error.what}`, { file, table, line: error.line }, error);
    throw gzipError(error, file);
  }
}

/** The job's data records: its plain content (gunzipped), up to the trailer when there is one. */
export async function* jobRecords(job: LoadJob): AsyncGenerator<CsvRecord> {
  const plain = await openPlainStream(job.source, job.compressed);
  const chunks = job.trailerOffset === undefined ? plain : plainPrefix(plain, job.trailerOffset);
  try {
    yield* dataRecords(chunks, { file: job.source.name, table: job.table, delimiter: job.delimiter, width: job.header.length });
  } finally {
    plain.destroy();
  }
}

/** The failure of the first bad record, or undefined when every record keeps the rules. */
export async function firstBadRecord(records: AsyncIterable<CsvRecord>): Promise<TerminalError | undefined> {
  try {
    for await (const _ of records) {
      // Only the records' checks matter here.
    }
    return undefined;
  } catch (error) {
    if (error instanceof TerminalError) return error;
    throw error;
  }
}

/**
 * The text that stands for NULL in CSV that landfall writes or reads (a missing field, not an empty one): no field of
 * a real file holds it, and it is written unquoted, where every value is quoted.
 */
export const NULL_MARKER = '\u001e\u001flandfall:null\u001f\u001e';

/**
 * Past this many characters a value's quotes are doubled byte by byte: V8's replaceAll keeps every match, so on a
 * 16 MiB line of quotes it took 1.6 s and 280 MB where the bytes take 0.1 s and 50 MB.
 */
const LONG_VALUE = 1 << 16;

/** `"value"` with its quotes doubled, through its UTF-8 bytes (a quote is one byte, never part of another character). */
function quotedBytes(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let quotes = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x22) quotes++;
  const out = Buffer.allocUnsafe(bytes.length + quotes + 2);
  let o = 0;
  out[o++] = 0x22;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    out[o++] = byte;
    if (byte === 0x22) out[o++] = 0x22;
  }
  out[o++] = 0x22;
  return out.toString('utf8');
}

/** A value as canonical CSV writes it: always quoted, its quotes doubled; NULL as the marker, unquoted. */
function quoted(value: string | null): string {
  if (value === null) return NULL_MARKER;
  if (value.indexOf('"') < 0) return `"${value}"`;
  return value.length > LONG_VALUE ? quotedBytes(value) : `"${value.replaceAll('"', '""')}"`;
}

/** Rows are written in chunks of about this many characters: a write per row costs more than the row. */
const WRITE_CHUNK = 1 << 16;

/** What `writeCanonicalCsv` wrote: its rows, and the longest row's bytes where one may pass MAX_LINE_BYTES. */
export interface CanonicalCsv {
  rows: number;
  /**
   * Quoting every value (and a JSON or Avro record's values twice, as text and as JSON) can make a row longer than the
   * line it came from: a reader of the copy needs its line limit at least this high. Undefined when no row can pass
   * MAX_LINE_BYTES.
   */
  longestLineBytes?: number;
}

/**
 * Writes a header of `width` fields, then the records, as CSV that every reader takes alike: comma-separated, every
 * value quoted, LF line ends, no blank lines.
 */
export async function writeCanonicalCsv(records: AsyncIterable<{ fields: readonly (string | null)[] }>, width: number, destination: string): Promise<CanonicalCsv> {
  const out = createWriteStream(destination);
  const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  const write = async (line: string) => {
    if (!out.write(line)) await Promise.race([once(out, 'drain'), failed]);
  };
  let rows = 0;
  let longestLineBytes: number | undefined;
  let chunk = `${Array.from({ length: width }, (_, i) => `c${i + 1}`).join(',')}\n`;
  try {
    for await (const record of records) {
      const { fields } = record;
      let line = fields.length === 0 ? '' : quoted(fields[0]!);
      for (let i = 1; i < fields.length; i++) line += `,${quoted(fields[i]!)}`;
      line += '\n';
      // A character takes at most 3 bytes (a surrogate pair's two take 4): only a row this long is measured.
      if (line.length * 3 > MAX_LINE_BYTES) longestLineBytes = Math.max(longestLineBytes ?? 0, Buffer.byteLength(line));
      chunk += line;
      rows++;
      if (chunk.length >= WRITE_CHUNK) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  } finally {
    out.end();
    await Promise.race([once(out, 'close'), failed]);
  }
  return { rows, ...(longestLineBytes === undefined ? {} : { longestLineBytes }) };
}
