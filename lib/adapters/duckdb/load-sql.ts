// The SQL of a DuckDB load: the table from a header, and one INSERT … SELECT over DuckDB's own CSV reader.
import { MAX_LINE_BYTES } from '../../load/index.js';
import type { ColumnPlan } from '../../load/index.js';
import { ident, literal } from './sql.js';

/** Every landfall table: the file's columns as VARCHAR, then the drift column and the load stamp. */
export function createTableSql(table: string, header: readonly string[]): string {
  const columns = header.map((name) => `${ident(name)} VARCHAR`);
  return `CREATE TABLE IF NOT EXISTS ${ident(table)} (${[...columns, '"_extra" JSON', '"_load_id" VARCHAR'].join(', ')})`;
}

export interface InsertOptions {
  table: string;
  plan: ColumnPlan;
  columnCount: number;
  loadId: string;
  path: string;
  delimiter: string;
}

/**
 * `read_csv` sees synthetic names c1…cN, so names from the file never enter its options; the SELECT maps them to
 * quoted table columns. Nothing is sniffed: the delimiter, quote, escape, header and column types are given, and
 * strict mode rejects rows with too many or too few fields. Empty fields stay empty strings (`force_not_null`):
 * NULL means only "the file had no such column".
 */
export function readCsvSql(path: string, columnCount: number, delimiter: string): string {
  const names = Array.from({ length: columnCount }, (_, i) => `c${i + 1}`);
  const options = [
    `columns = {${names.map((n) => `'${n}': 'VARCHAR'`).join(', ')}}`,
    'header = true',
    'auto_detect = false',
    `delim = ${literal(delimiter)}`,
    `quote = '"'`,
    `escape = '"'`,
    `comment = ''`,
    'skip = 0',
    'strict_mode = true',
    'null_padding = false',
    'ignore_errors = false',
    `force_not_null = [${names.map((n) => `'${n}'`).join(', ')}]`,
    `compression = 'none'`,
    `max_line_size = ${MAX_LINE_BYTES}`,
    // DuckDB wants the buffer at least as large as the longest line; it reads one buffer per thread.
    `buffer_size = ${MAX_LINE_BYTES}`,
  ];
  return `read_csv(${literal(path)}, ${options.join(', ')})`;
}

export function insertSql(options: InsertOptions): string {
  const { plan } = options;
  const targets = [...plan.known.map((k) => ident(k.column)), '"_extra"', '"_load_id"'];
  const extra =
    plan.extra.length === 0 ? 'NULL' : `json_object(${plan.extra.map((e) => `${literal(e.key)}, c${e.position}`).join(', ')})`;
  const values = [...plan.known.map((k) => `c${k.position}`), extra, literal(options.loadId)];
  return (
    `INSERT INTO ${ident(options.table)} (${targets.join(', ')}) ` +
    `SELECT ${values.join(', ')} FROM ${readCsvSql(options.path, options.columnCount, options.delimiter)}`
  );
}
