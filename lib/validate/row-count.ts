// The last check of a load: the rows found must be the rows the go file or trailer promised.
import { TerminalError } from '../errors.js';
import { placeOf } from './count.js';

const rows = (n: number): string => `${n} ${n === 1 ? 'row' : 'rows'}`;

/**
 * Throws when `actualRows` differs from the expected count, e.g.
 * `trades_1.csv: expected 3 rows (trades_1.go line 1), found 2`. The context points at where the count was stated.
 */
export function checkRowCount(expected: { rows: number; file: string; line?: number }, actualRows: number, dataFile: string): void {
  if (expected.rows === actualRows) return;
  const { file, line } = expected;
  throw new TerminalError(`${dataFile}: expected ${rows(expected.rows)} (${placeOf(file, line)}), found ${actualRows}`, line === undefined ? { file } : { file, line });
}
