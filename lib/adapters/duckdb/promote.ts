// `landfall promote` on DuckDB: one transaction checks every value, adds the column, fills it and takes the key out of `_extra`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { TerminalError } from '../../errors.js';
import { castFailure, checkPromotable, keysOf, noSuchField, spelledTwice } from '../../promote/index.js';
import type { ColumnKind, ColumnType, PromoteRequest, PromoteResult } from '../../promote/index.js';
import { ident, literal } from './sql.js';
import { landfallTableColumns } from './tables.js';

const TYPES: Readonly<Record<ColumnKind, string>> = {
  string: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  decimal: 'DECIMAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

/** DuckDB's name of the type; DECIMAL without a precision is DuckDB's DECIMAL(18,3). Its widest is 38 digits. */
export function duckdbType(type: ColumnType): string {
  if (type.precision === undefined) return TYPES[type.kind];
  const written = `DECIMAL(${type.precision},${type.scale ?? 0})`;
  if (type.precision > 38) throw new TerminalError(`--type ${written}: DuckDB's DECIMAL holds at most 38 digits`);
  return written;
}

/** A JSON pointer (RFC 6901) to a top-level key, so no character of the key (`.`, `"`, `/`, `~` …) is read as syntax. */
function pointer(key: string): string {
  return literal(`/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
}

/** The SQL of one promotion: which rows hold the field, its text in them, and `_extra` without it. */
interface PromotionSql {
  table: string;
  present: string;
  text: string;
  rest: string;
}

function promotionSql(table: string, keys: readonly string[], type: string): PromotionSql {
  const present = keys.map((k) => `json_exists("_extra", ${pointer(k)})`);
  // A string gives its text, any other value its JSON text, a JSON null SQL NULL (DuckDB's json_extract_string does all
  // three). An empty text is no value to a typed column, as an empty CSV field is to a typed column of a CSV reader.
  const texts = keys.map((k) => `json_extract_string("_extra", ${pointer(k)})`);
  const text = texts.length === 1 ? texts[0]! : `COALESCE(${texts.join(', ')})`;
  // RFC 7386: a null in a merge patch removes the key (DuckDB 1.5's json_merge_patch does so, and keeps every other key).
  const rest = `json_merge_patch("_extra", json_object(${keys.map((k) => `${literal(k)}, NULL`).join(', ')}))`;
  return {
    table: ident(table),
    present: present.length === 1 ? present[0]! : `(${present.join(' OR ')})`,
    text: type === 'VARCHAR' ? text : `NULLIF(${text}, '')`,
    rest,
  };
}

async function firstRow(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown> | undefined> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS()[0];
}

/** Every distinct top-level key of `_extra` in the table. */
async function extraKeys(connection: DuckDBConnection, table: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT unnest(json_keys("_extra")) AS k FROM ${ident(table)} WHERE "_extra" IS NOT NULL`);
  return reader.getRowObjectsJS().map((row) => String(row.k));
}

/** Refuses, naming the first row by `_load_id`, a row holding two spellings, or a value that does not cast. */
async function checkValues(connection: DuckDBConnection, request: PromoteRequest, sql: PromotionSql, keys: readonly string[], type: string): Promise<void> {
  if (keys.length > 1) {
    const twice = `(${keys.map((k) => `json_exists("_extra", ${pointer(k)})::INTEGER`).join(' + ')}) > 1`;
    const row = await firstRow(connection, `SELECT "_load_id" FROM ${sql.table} WHERE ${twice} ORDER BY "_load_id" LIMIT 1`);
    if (row) throw spelledTwice(request, String(row._load_id), keys);
  }
  if (type === 'VARCHAR') return;
  const row = await firstRow(
    connection,
    `SELECT "_load_id", v FROM (SELECT "_load_id", ${sql.text} AS v FROM ${sql.table} WHERE ${sql.present}) ` +
      `WHERE v IS NOT NULL AND TRY_CAST(v AS ${type}) IS NULL ORDER BY "_load_id", v LIMIT 1`,
  );
  if (row) throw castFailure(request, type, String(row._load_id), String(row.v));
}

async function promoteInTransaction(connection: DuckDBConnection, request: PromoteRequest): Promise<PromoteResult> {
  checkPromotable(request, await landfallTableColumns(connection, request.table), 'VARCHAR');
  const keys = keysOf(request.field, await extraKeys(connection, request.table));
  if (keys.length === 0) throw noSuchField(request);
  const type = duckdbType(request.type);
  const sql = promotionSql(request.table, keys, type);
  await checkValues(connection, request, sql, keys, type);
  const column = ident(request.field);
  await connection.run(`ALTER TABLE ${sql.table} ADD COLUMN ${column} ${type}`);
  const value = type === 'VARCHAR' ? sql.text : `CAST(${sql.text} AS ${type})`;
  const updated = await connection.run(
    `UPDATE ${sql.table} SET ${column} = ${value}, "_extra" = CASE WHEN ${sql.rest}::VARCHAR = '{}' THEN NULL ELSE ${sql.rest} END WHERE ${sql.present}`,
  );
  return { table: request.table, column: request.field, type, rows: Number(updated.rowsChanged), keys };
}

/** The promotion in one transaction: any failure (a check, a cast, DuckDB itself) rolls it all back. */
export async function promoteInDuckDb(connection: DuckDBConnection, request: PromoteRequest): Promise<PromoteResult> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await promoteInTransaction(connection, request);
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
