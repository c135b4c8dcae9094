// BigQuery names: which table and column names BigQuery accepts, and how they are quoted; nothing from a file enters SQL otherwise.
import { TerminalError } from '../../errors.js';

/** Table ids: letters, marks, numbers, connectors, dashes and spaces, at most 1,024 bytes (BigQuery docs, "Table naming"). */
const TABLE_ID = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}]+$/u;
const TABLE_ID_MAX_BYTES = 1024;

/**
 * Flexible column names: any character except these, at most 300 characters, and none of the reserved prefixes
 * (BigQuery docs, "Column names"). Checked before a table is created, so BigQuery never has to reject one.
 */
const COLUMN_FORBIDDEN = /[!"$()*,./;?@[\]\\^`{}~\p{Cc}]/u;
const COLUMN_MAX_CHARS = 300;
const COLUMN_RESERVED_PREFIXES = ['_TABLE_', '_FILE_', '_PARTITION', '_ROW_TIMESTAMP', '__ROOT__', '_COLON_', '_CHANGE_SEQUENCE_NUMBER', '_CHANGE_TYPE'] as const;

export function tableIdProblem(table: string): string | undefined {
  if (table === '') return 'the table name is empty';
  if (Buffer.byteLength(table) > TABLE_ID_MAX_BYTES) return `the table name is longer than ${TABLE_ID_MAX_BYTES} bytes`;
  if (!TABLE_ID.test(table)) return `BigQuery does not accept the table name "${table}" (letters, digits, _, - and spaces only)`;
  return undefined;
}

export function columnNameProblem(name: string): string | undefined {
  if (name === '') return 'a column name is empty';
  if ([...name].length > COLUMN_MAX_CHARS) return `the column name "${name.slice(0, 40)}…" is longer than ${COLUMN_MAX_CHARS} characters`;
  const bad = COLUMN_FORBIDDEN.exec(name);
  if (bad) return `BigQuery does not accept the column name ${JSON.stringify(name)}: it contains ${JSON.stringify(bad[0])}`;
  const upper = name.toUpperCase();
  const prefix = COLUMN_RESERVED_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix) return `BigQuery reserves column names starting with ${prefix}: ${JSON.stringify(name)}`;
  return undefined;
}

/** Throws one TerminalError listing every header name BigQuery would reject as a column of a new table. */
export function checkNewColumns(header: readonly string[], context: { file: string; table: string }): void {
  const problems = header.map(columnNameProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new TerminalError(`${context.file}: cannot create table ${context.table}: ${problems.join('; ')}`, { ...context, line: 1 });
  }
}

export function checkTableId(table: string, file: string): void {
  const problem = tableIdProblem(table);
  if (problem) throw new TerminalError(`${file}: ${problem}`, { file, table });
}

/**
 * A quoted identifier. Names were validated above, so backticks and backslashes cannot occur; they are escaped
 * anyway, so that quoting alone never depends on validation having run.
 */
export function ident(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** `project.dataset.table`, each part quoted on its own. */
export function tableRef(project: string, dataset: string, table: string): string {
  return [project, dataset, table].map(ident).join('.');
}

/** Staging columns are positional, named so no header can be mistaken for them. */
export function stagingColumn(position: number): string {
  return `_landfall_c${position}`;
}

/** One staging table per load: a retry of the same load reuses it, a different load never touches it. */
export function stagingTable(loadId: string): string {
  return `_landfall_staging_${loadId.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** The hive key a batch's objects sit under (`…/_landfall_load=<load id>/…`): the column that tells their rows apart. */
export const BATCH_KEY = '_landfall_load';

/** A batch's staging table per shape (delimiter, compression, width), for one attempt of the batch. */
export function batchStagingTable(batchId: string, shape: number): string {
  return `_landfall_batch_${batchId.replace(/[^A-Za-z0-9]/g, '')}_${shape}`;
}

/** Job ids derived from the load (letters, digits, `_`, `-`; ≤ 1,024): a retried step lands on the same job. */
export function jobId(step: 'stage' | 'commit' | `batch_${string}`, loadId: string): string {
  return `landfall_${step}_${loadId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

/**
 * A STRING literal. The emulator cannot bind query parameters in a multi-statement script, so the commit script
 * carries its values as literals, escaped here and only here: backslash, quote and every control character.
 */
export function literal(value: string): string {
  const escaped = value.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\' || c === "'") return `\\${c}`;
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${escaped}'`;
}

/** An INT64 literal from a safe integer (anything else is a bug, not input). */
export function intLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

/** A TIMESTAMP literal to the microsecond, as `TIMESTAMP_MICROS(n)`. */
export function timestampLiteral(date: Date): string {
  return `TIMESTAMP_MICROS(${intLiteral(date.getTime() * 1000)})`;
}
