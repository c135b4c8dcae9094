// Trailer records: the data file's last non-empty line, which states its row count and is not itself a row.
import type { TrailerRule } from '../config/index.js';
import { countInColumn, splitCsvLine } from './count.js';

/**
 * The expected row count in a trailer line (split with the mapping's delimiter; quotes allowed).
 * `lineNumber` is the trailer's 1-based line in the data file, for the message (undefined: "last line").
 */
export function parseTrailer(
  line: string,
  lineNumber: number | undefined,
  rule: TrailerRule,
  fileName: string,
  delimiter: string,
): { expectedRows: number } {
  const fields = splitCsvLine(line.replace(/\r?\n?$/, ''), delimiter, fileName, lineNumber);
  return { expectedRows: countInColumn(fields, rule.rowCountColumn, `trailer column ${rule.rowCountColumn}`, fileName, lineNumber) };
}
