// Reading an expected row count (digits only) and turning any failure into a TerminalError naming file and line.
import { parse } from 'csv-parse/sync';
import { TerminalError } from '../errors.js';

/** Where in a file: `x.csv line 4`, or `x.csv, last line` for a trailer whose line number was not counted. */
export function placeOf(file: string, line: number | undefined): string {
  return line === undefined ? `${file}, last line` : `${file} line ${line}`;
}

/** A failure at `file` line `line`: the message says both, so it reads on its own in logs and error.json. */
export function failAt(file: string, line: number | undefined, message: string): TerminalError {
  return new TerminalError(`${placeOf(file, line)}: ${message}`, line === undefined ? { file } : { file, line });
}

/** `raw` as a row count: a whole number written in digits (surrounding spaces allowed), else a message why not. */
export function countProblem(raw: string): { count: number } | { problem: string } {
  const text = raw.trim();
  if (!/^[0-9]+$/.test(text)) return { problem: 'is not a whole number' };
  const count = Number(text);
  if (!Number.isSafeInteger(count)) return { problem: 'is too large to be a row count' };
  return { count };
}

/** Splits one line as CSV (quotes allowed); an unreadable line fails at `file` line `line`. */
export function splitCsvLine(text: string, delimiter: string, file: string, line: number | undefined): string[] {
  try {
    const records = parse(text, { delimiter, relax_column_count: true, bom: true }) as string[][];
    if (records.length > 1) throw new Error('the line holds more than one record (an unquoted line break?)');
    return records[0] ?? [];
  } catch (error) {
    throw failAt(file, line, `can't be read as CSV: ${(error as Error).message}`);
  }
}

/**
 * The count in 1-based `column` of `fields`. `what` names the value in messages (e.g. `trailer column 2`).
 * When the named column isn't a number but its neighbour is, the message says so: an off-by-one is the usual mistake.
 */
export function countInColumn(fields: readonly string[], column: number, what: string, file: string, line: number | undefined): number {
  const value = fields[column - 1];
  if (value === undefined) {
    throw failAt(file, line, `${what} is past the end of the line, which has ${fields.length} column(s)`);
  }
  const result = countProblem(value);
  if ('count' in result) return result.count;
  const neighbour = [column - 1, column + 1].find((c) => c >= 1 && fields[c - 1] !== undefined && 'count' in countProblem(fields[c - 1] as string));
  const hint = neighbour === undefined ? '' : ` (columns count from 1; column ${neighbour} holds ${JSON.stringify(fields[neighbour - 1])})`;
  throw failAt(file, line, `${what} ${JSON.stringify(value)} ${result.problem}${hint}`);
}
