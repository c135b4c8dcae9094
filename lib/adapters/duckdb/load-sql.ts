// The SQL of a DuckDB load: a new table made from its first file, or one INSERT … SELECT, over DuckDB's own CSV reader.
import { MAX_LINE_BYTES, NULL_MARKER } from '../../load/index.js';
import type { ColumnPlan } from '../../load/index.js';
import { ident, literal } from './sql.js';

export interface InsertOptions {
  table: string;
  plan: ColumnPlan;
  columnCount: number;
  loadId: string;
  path: string;
  delimiter: string;
  /** DuckDB's parallel reader (the default); off for what it cannot read in parallel. */
  parallel?: boolean;
  /** The longest line's bytes, where a canonical copy holds one longer than MAX_LINE_BYTES. */
  longestLineBytes?: number;
}

type ReadOptions = Pick<InsertOptions, 'path' | 'columnCount' | 'delimiter' | 'parallel' | 'longestLineBytes'>;

/**
 * `read_csv` sees synthetic names c1…cN, so names from the file never enter its options; the SELECT maps them to
 * quoted table columns. Nothing is sniffed: the delimiter, quote, escape, header and column types are given.
 *
 * DuckDB's strict mode lets a row carry extra fields when they are empty (`3,4,,` under `a,b` loads as 3, 4), so
 * the reader is given one column more than the header, rows are padded with NULL, and `FIELD_COUNT_CHECK` fails the
 * statement for a row with a field in that column (too many) or none in the header's last (too few).
 */
export function readCsvSql(options: ReadOptions): string {
  const names = Array.from({ length: options.columnCount + 1 }, (_, i) => `c${i + 1}`);
  const lineBytes = Math.max(MAX_LINE_BYTES, options.longestLineBytes ?? 0);
  const settings = [
    `columns = {${names.map((n) => `'${n}': 'VARCHAR'`).join(', ')}}`,
    'header = true',
    'auto_detect = false',
    `delim = ${literal(options.delimiter)}`,
    `quote = '"'`,
    `escape = '"'`,
    `comment = ''`,
    'skip = 0',
    'strict_mode = true',
    'null_padding = true',
    // Every empty field reads as '', and NULL means only "the row had no such field" (null padding, or the marker
    // landfall's own copies write for a missing or JSON-null value).
    `nullstr = ${literal(NULL_MARKER)}`,
    'allow_quoted_nulls = false',
    'ignore_errors = false',
    `compression = 'none'`,
    `max_line_size = ${lineBytes}`,
    // DuckDB wants the buffer at least as large as the longest line; it reads one buffer per thread.
    `buffer_size = ${lineBytes}`,
    ...(options.parallel === false ? ['parallel = false'] : []),
  ];
  return `read_csv(${literal(options.path)}, ${settings.join(', ')})`;
}

/** The message of the statement's own failure when a row's field count differs from the header's. */
export const FIELD_COUNT_ERROR = 'landfall: a row has another number of fields than the header';

function fieldCountCheck(columnCount: number): string {
  return `WHERE CASE WHEN c${columnCount + 1} IS NOT NULL OR c${columnCount} IS NULL THEN error(${literal(FIELD_COUNT_ERROR)}) ELSE true END`;
}

/** Where a load's rows come from, and how each field reaches a column: CSV here, other formats in format-sql.ts. */
export interface Relation {
  /** `FROM …`, with any check its rows need. */
  from: string;
  /** Field `position` (1-based) as an existing column takes it (DuckDB casts it to the column's type). */
  field(position: number): string;
  /** Field `position` as a new table's column: of the type the file gives it, or VARCHAR. */
  created(position: number): string;
  /** The `_extra` value: the fields the table has no column for, as one JSON object (NULL when there are none). */
  extra(plan: ColumnPlan): string;
}

export function csvRelation(options: ReadOptions): Relation {
  return {
    from: `FROM ${readCsvSql(options)} ${fieldCountCheck(options.columnCount)}`,
    field: (position) => `c${position}`,
    created: (position) => `c${position}`,
    extra: (plan) => (plan.extra.length === 0 ? 'NULL' : `json_object(${plan.extra.map((e) => `${literal(e.key)}, c${e.position}`).join(', ')})`),
  };
}

/**
 * A table that does not exist yet is made from its first file in one statement: every header column a VARCHAR of its
 * own name (or the file's own type), `_extra` NULL, `_load_id` the load's. In one transaction with the rest of the
 * load, as an INSERT would be, and 2–4 % faster than CREATE TABLE then INSERT (5M rows, four alternating runs).
 */
export function createTableAsSql(options: Omit<InsertOptions, 'plan'> & { header: readonly string[]; relation?: Relation }): string {
  const relation = options.relation ?? csvRelation(options);
  const values = [...options.header.map((name, i) => `${relation.created(i + 1)} AS ${ident(name)}`), 'CAST(NULL AS JSON) AS "_extra"', `${literal(options.loadId)} AS "_load_id"`];
  return `CREATE TABLE ${ident(options.table)} AS SELECT ${values.join(', ')} ${relation.from}`;
}

export function insertSql(options: InsertOptions & { relation?: Relation }): string {
  const { plan } = options;
  const relation = options.relation ?? csvRelation(options);
  const targets = [...plan.known.map((k) => ident(k.column)), '"_extra"', '"_load_id"'];
  const values = [...plan.known.map((k) => relation.field(k.position)), relation.extra(plan), literal(options.loadId)];
  return `INSERT INTO ${ident(options.table)} (${targets.join(', ')}) SELECT ${values.join(', ')} ${relation.from}`;
}
