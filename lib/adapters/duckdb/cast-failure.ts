// A value a typed column cannot take, found after DuckDB's "Conversion Error" with TRY_CAST, then named (lib/load's badCastError).
import type { DuckDBConnection } from '@duckdb/node-api';
import { TerminalError } from '../../errors.js';
import { badCastError, planColumns } from '../../load/index.js';
import type { BadValues, LoadJob } from '../../load/index.js';
import { csvRelation } from './load-sql.js';
import { relationOf } from './load-txn.js';
import type { RowsFile } from './rows-file.js';
import { ident, literal } from './sql.js';

/** A failed cast says so in DuckDB's own words ("Could not convert string 'abc' to INT32 when casting from source column c2"). */
export function isConversionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith('Conversion Error') || message.startsWith('Invalid Input Error: Could not convert');
}

const DISTINCT_VALUES = 1000;

async function typedColumns(connection: DuckDBConnection, table: string): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema() AND lower(table_name) = lower($1)`,
    [table],
  );
  return new Map(reader.getRowObjectsJS().map((r) => [String(r.column_name), String(r.data_type)]));
}

/** The values of each typed column that its type cannot take (DuckDB's TRY_CAST), up to a thousand distinct ones. */
async function suspects(connection: DuckDBConnection, job: LoadJob, rows: RowsFile): Promise<BadValues[]> {
  const types = await typedColumns(connection, job.table);
  const { path } = rows;
  const from = relationOf(job, rows) ?? csvRelation({ path, columnCount: job.header.length, delimiter: rows.delimiter, parallel: rows.parallel, longestLineBytes: rows.longestLineBytes });
  const found: BadValues[] = [];
  for (const { position, column } of planColumns(job.header, [...types.keys()]).known) {
    const type = types.get(column)!;
    if (type === 'VARCHAR') continue;
    if (job.format === 'parquet') {
      const field = ident(job.header[position - 1]!);
      const sql = `SELECT file_row_number + 1 AS n, CAST(${field} AS VARCHAR) AS v FROM read_parquet(${literal(path)}, file_row_number = true) WHERE ${field} IS NOT NULL AND TRY_CAST(${field} AS ${type}) IS NULL ORDER BY file_row_number LIMIT 1`;
      const [row] = (await connection.runAndReadAll(sql)).getRowObjectsJS();
      if (row) found.push({ column, type, position, values: new Set([String(row.v)]), record: Number(row.n) });
      continue;
    }
    const sql = `SELECT DISTINCT v FROM (SELECT ${from.field(position)} AS v ${from.from}) WHERE v IS NOT NULL AND TRY_CAST(v AS ${type}) IS NULL LIMIT ${DISTINCT_VALUES}`;
    const values = (await connection.runAndReadAll(sql)).getRowObjectsJS().map((r) => String(r.v));
    if (values.length > 0) found.push({ column, type, position, values: new Set(values) });
  }
  return found;
}

/**
 * Rereads the file for the first record holding a value its column's type cannot take, and names it. The load has
 * been rolled back; this runs on the connection outside any transaction.
 */
export async function castFailure(connection: DuckDBConnection, job: LoadJob, rows: RowsFile, cause: unknown): Promise<TerminalError> {
  const found = await suspects(connection, job, rows).catch((): BadValues[] => []);
  const named = await badCastError(job, found, cause);
  if (named) return named;
  const file = job.source.name;
  const first = String((cause as Error).message ?? cause).split('\n')[0];
  return new TerminalError(`${file}: a value does not fit its column's type in table ${job.table} (${first})`, { file, table: job.table, loadId: job.loadId }, cause);
}
