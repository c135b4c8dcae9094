// How a file's header meets an existing table, the same on every warehouse: which columns match, which go to `_extra`.
import { TerminalError } from '../errors.js';
import { RESERVED_COLUMNS, foldName } from './header.js';

/** Where each header column goes: into a table column (matched case-insensitively) or into `_extra`. */
export interface ColumnPlan {
  /** 1-based position in the file → the table's own spelling of the column. */
  known: { position: number; column: string }[];
  /** 1-based position in the file → the key it gets in `_extra` (the file's spelling). */
  extra: { position: number; key: string }[];
}

export function planColumns(header: readonly string[], tableColumns: readonly string[]): ColumnPlan {
  const byFolded = new Map(tableColumns.map((column) => [foldName(column), column]));
  for (const reserved of RESERVED_COLUMNS) byFolded.delete(reserved);
  const plan: ColumnPlan = { known: [], extra: [] };
  header.forEach((name, index) => {
    const column = byFolded.get(foldName(name));
    if (column === undefined) plan.extra.push({ position: index + 1, key: name });
    else plan.known.push({ position: index + 1, column });
  });
  return plan;
}

/**
 * A table of that name that landfall did not create (no `_extra`/`_load_id`) is refused rather than written into.
 * `stringType` is the warehouse's name for the `_load_id` type, for the message.
 */
export function checkLandfallTable(table: string, columns: readonly string[], stringType: string): void {
  const folded = new Set(columns.map(foldName));
  const missing = RESERVED_COLUMNS.filter((reserved) => !folded.has(reserved));
  if (missing.length > 0) {
    throw new TerminalError(
      `table ${table} exists but has no ${missing.join(' or ')} column: it was not created by landfall ` +
        `(rename it, or add the columns: _extra JSON, _load_id ${stringType})`,
      { table },
    );
  }
}
