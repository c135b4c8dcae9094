// Which DuckDB errors are transient (retry later) and which are terminal (the input is wrong): decided here only.
import { LandfallError, TerminalError, TransientError } from '../../errors.js';
import type { ErrorContext } from '../../errors.js';

/**
 * DuckDB error kinds that mean the statement or its input is wrong: the same attempt fails the same way.
 * Anything else (a lock another process holds, `Out of Memory`, `IO Error` such as a full disk, an internal
 * error) may pass on another attempt, so it is transient.
 */
const TERMINAL_KINDS = ['Invalid Input Error', 'Catalog Error', 'Binder Error', 'Conversion Error', 'Constraint Error', 'Parser Error'] as const;

export function isTransientDuckDbError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return !TERMINAL_KINDS.some((kind) => message.startsWith(`${kind}:`));
}

/** DuckDB ran out of the memory its limit allows. */
export function isOutOfMemory(error: unknown): boolean {
  return (error instanceof Error ? error.message : String(error)).startsWith('Out of Memory Error');
}

/** The CSV reader met a byte it has no state for, with no line to show: a CR that ends no line, or LF and CRLF mixed. */
export function isParserStateError(error: unknown): boolean {
  return (error instanceof Error ? error.message : String(error)).includes('CSV Parser state machine reached an invalid state');
}

/** Another process holds the database file (DuckDB allows one writer per file). */
export function isLockConflict(error: unknown): boolean {
  return (error instanceof Error ? error.message : String(error)).includes('Could not set lock');
}

/** A CSV reader failure, as DuckDB words it: `CSV Error on Line: N` and what went wrong. */
export interface CsvFailure {
  /** DuckDB's line number: record lines, which differ from physical lines after a value with line breaks. */
  recordLine: number;
  what: string;
}

const CSV_PROBLEMS: readonly [RegExp, (m: RegExpMatchArray) => string][] = [
  [/Expected Number of Columns: (\d+) Found: (\d+)/, (m) => `the row has ${m[2]} fields, but the header has ${m[1]}`],
  [/unterminated quote/i, () => 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)'],
  [/Invalid unicode/i, () => 'the bytes are not valid UTF-8 (files must be UTF-8 encoded)'],
  [/Maximum line size of (\d+) bytes exceeded/, (m) => `the line is longer than the ${m[1]}-byte limit`],
];

/** Reads DuckDB's CSV error text into line and reason; undefined for any other error. */
export function parseCsvFailure(message: string): CsvFailure | undefined {
  const line = /CSV Error on Line: (\d+)/.exec(message);
  if (!line) return undefined;
  for (const [pattern, describe] of CSV_PROBLEMS) {
    const match = message.match(pattern);
    if (match) return { recordLine: Number(line[1]), what: describe(match) };
  }
  const reason = message.split('\n').find((l, i) => i > 1 && l.trim() !== '' && !l.startsWith('Original Line')) ?? 'unreadable CSV';
  return { recordLine: Number(line[1]), what: reason.trim() };
}

/** Wraps a DuckDB error in landfall's terms (landfall's own errors pass through as they are). */
export function classifyDuckDbError(error: unknown, context: ErrorContext): LandfallError {
  if (error instanceof LandfallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isTransientDuckDbError(error)) return new TransientError(`DuckDB: ${message}`, context, error);
  return new TerminalError(`DuckDB: ${message.split('\n')[0]}`, context, error);
}
