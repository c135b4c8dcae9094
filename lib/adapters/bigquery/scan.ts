// Reads a file's records in one streamed pass (csv-parse): to transcode it for a backend that cannot read it, or to find the bad line after a load failed.
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { TerminalError } from '../../errors.js';
import { gzipError, nulByteError, openPlainStream, physicalLineOf, plainPrefix } from '../../load/index.js';
import type { LoadJob } from '../../load/index.js';

export interface ScannedRecord {
  /** Physical line where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

const PARSE_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)',
};

/**
 * The parser's error in the file's terms. An unclosed quote is reported where its record starts (the parser is at the
 * end of the file by then: one more read finds the line, as DuckDB's reader reports it); other problems where they are.
 */
async function parseFailure(error: unknown, job: LoadJob): Promise<unknown> {
  const e = error as { code?: string; lines?: number; records?: number };
  const file = job.source.name;
  if (e.code?.startsWith('Z_')) return gzipError(error, file);
  const what = e.code ? PARSE_PROBLEMS[e.code] : undefined;
  if (!what) return error;
  const line =
    e.code === 'CSV_QUOTE_NOT_CLOSED' ? await physicalLineOf(await openPlainStream(job.source, job.compressed), job.delimiter, (e.records ?? 0) + 1) : (e.lines ?? 0);
  return new TerminalError(`${file} line ${line}: ${what}`, { file, table: job.table, line }, error);
}

/**
 * Yields the data records after the header, each checked to have as many fields as the header and no NUL byte (the
 * bad one is a TerminalError naming its line). Stops before `job.trailerOffset`. Reads the whole file: a failure or fallback path only.
 */
export async function* dataRecords(job: LoadJob): AsyncGenerator<ScannedRecord> {
  const file = job.source.name;
  const plain = await openPlainStream(job.source, job.compressed);
  const input = job.trailerOffset === undefined ? plain : plainPrefix(plain, job.trailerOffset);
  // LF and CRLF may both end records in one file (the DuckDB path reads such a file too).
  const parser = parse({ delimiter: job.delimiter, bom: true, relax_column_count: true, info: true, record_delimiter: ['\r\n', '\n'] });
  // A pipeline stops feeding the parser when either side fails (a parse error left a hand-written feed waiting on 'drain').
  const feeding = pipeline(input, parser).catch(() => undefined);
  let previousEnd = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = previousEnd + 1;
      previousEnd = item.info.lines;
      // Blank lines are no rows, as BigQuery's reader and the emulator's skip them.
      if (line === 1 || (item.record.length === 1 && item.record[0] === '')) continue;
      if (item.record.length !== job.header.length) {
        const what = `the row has ${item.record.length} fields, but the header has ${job.header.length}`;
        throw new TerminalError(`${file} line ${line}: ${what}`, { file, table: job.table, line });
      }
      if (item.record.some((value) => value.includes('\u0000'))) throw nulByteError(file, line, { table: job.table });
      yield { line, fields: item.record };
    }
  } catch (error) {
    throw error instanceof TerminalError ? error : await parseFailure(error, job);
  } finally {
    parser.destroy();
    plain.destroy();
    await feeding;
  }
}

/** Reads until the first bad record and throws its error; returns when every record is fine. */
export async function findBadRecord(job: LoadJob): Promise<void> {
  for await (const _ of dataRecords(job)) {
    // Only the records' checks matter here.
  }
}
