// Trailer records: the data file's last non-empty line, which states its row count and is not itself a row.
import type { TrailerRule } from '../config/index.js';
import { countInColumn, failAt, splitCsvLine } from './count.js';

/**
 * The expected row count in a trailer line (split with the mapping's delimiter; quotes allowed). With a marker, a
 * line whose first field is not the marker is no trailer, and the file fails. `lineNumber` is the trailer's 1-based line in the data file, for the message (undefined: "last line").
 */
export function parseTrailer(
  line: string,
  lineNumber: number | undefined,
  rule: TrailerRule,
  fileName: string,
  delimiter: string,
): { expectedRows: number } {
  // The trailer is no row, but it is the file's: a NUL fails it here as it would anywhere else.
  if (line.includes('\u0000')) throw failAt(fileName, lineNumber, 'the line holds a NUL byte (0x00), which no warehouse column may hold');
  const fields = splitCsvLine(line.replace(/\r?\n?$/, ''), delimiter, fileName, lineNumber);
  const first = fields[0]?.trim() ?? '';
  if (rule.marker !== undefined && first !== rule.marker) {
    const shown = first.length > 40 ? `${first.slice(0, 40)}…` : first;
    throw failAt(fileName, lineNumber, `no trailer line: the last line starts with ${JSON.stringify(shown)}, not the marker ${JSON.stringify(rule.marker)}`);
  }
  return { expectedRows: countInColumn(fields, rule.rowCountColumn, `trailer column ${rule.rowCountColumn}`, fileName, lineNumber) };
}
