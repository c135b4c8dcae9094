// The `load_metadata` table in DuckDB: one row per load attempt that got as far as the warehouse.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FailedLoad, MetadataStatus, PriorLoad } from '../../load/warehouse.js';
import { literal, utcTimestamp } from './sql.js';

/**
 * The seed's columns first, then what operators need beside them. Times are UTC. `path` came last (a table made
 * before it gets it from METADATA_MIGRATION), so both layouts have the same column order.
 */
export const METADATA_DDL = `CREATE TABLE IF NOT EXISTS load_metadata (
  load_id VARCHAR NOT NULL,
  filename VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  row_count BIGINT NOT NULL,
  started_at TIMESTAMP NOT NULL,
  completed_at TIMESTAMP NOT NULL,
  source_uri VARCHAR NOT NULL,
  source_generation VARCHAR NOT NULL,
  expected_rows BIGINT,
  bytes BIGINT NOT NULL,
  status VARCHAR NOT NULL,
  error VARCHAR,
  path VARCHAR
)`;

/**
 * Creates load_metadata, or brings one from before paths were identities up to date: its rows get their file name as
 * path, which is what a file directly under the landing prefix (or the CLI's landing root) has now, so such a file is
 * not loaded again; a file in a folder, or loaded by the CLI without a landing root, has another path now.
 */
export async function ensureMetadataTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(METADATA_DDL);
  // pragma_table_info reads one table; duckdb_columns() takes 30–40 ms on its first call in a process.
  const found = await connection.runAndReadAll("SELECT 1 FROM pragma_table_info('load_metadata') WHERE name = 'path'");
  if (found.currentRowCount > 0) return;
  await connection.run('ALTER TABLE load_metadata ADD COLUMN path VARCHAR');
  await connection.run('UPDATE load_metadata SET path = filename');
}

export interface MetadataRow {
  loadId: string;
  filename: string;
  path: string;
  table: string;
  rowCount: number;
  startedAt: Date;
  completedAt: Date;
  sourceUri: string;
  sourceGeneration: string;
  expectedRows: number | null;
  bytes: number;
  status: MetadataStatus;
  error: string | null;
}

/**
 * The row as one statement of literals (every value through literal()), so it can share a round trip with the COMMIT:
 * each call into DuckDB is a hop through the event loop, and a prepared statement takes three.
 */
export function insertMetadataSql(row: MetadataRow): string {
  const text = (value: string | null) => (value === null ? 'NULL' : literal(value));
  const values = [
    text(row.loadId),
    text(row.filename),
    text(row.table),
    String(Math.trunc(row.rowCount)),
    `TIMESTAMP ${literal(utcTimestamp(row.startedAt))}`,
    `TIMESTAMP ${literal(utcTimestamp(row.completedAt))}`,
    text(row.sourceUri),
    text(row.sourceGeneration),
    row.expectedRows === null ? 'NULL' : String(Math.trunc(row.expectedRows)),
    String(Math.trunc(row.bytes)),
    text(row.status),
    text(row.error),
    text(row.path),
  ];
  return `INSERT INTO load_metadata (load_id, filename, table_name, row_count, started_at, completed_at, source_uri, source_generation,
       expected_rows, bytes, status, error, path) VALUES (${values.join(', ')})`;
}

/** The row of a load that failed before its transaction (a bad file found by a check, not by DuckDB). */
export async function insertFailedLoad(connection: DuckDBConnection, failure: FailedLoad): Promise<void> {
  await connection.run(
    insertMetadataSql({
      loadId: failure.loadId,
      filename: failure.source.name,
      path: failure.source.path,
      table: failure.table,
      rowCount: 0,
      startedAt: failure.startedAt,
      completedAt: new Date(),
      sourceUri: failure.source.uri,
      sourceGeneration: await failure.source.generation,
      expectedRows: failure.expectedRows,
      bytes: failure.source.bytes,
      status: 'failed',
      error: failure.error,
    }),
  );
}

/** Rows of this path in this table (table names compare case-insensitively, as DuckDB's catalog does). */
export function priorLoadsSql(table: string, path: string): string {
  return `SELECT load_id, source_generation, status, row_count FROM load_metadata
     WHERE lower(table_name) = lower(${literal(table)}) AND path = ${literal(path)} ORDER BY started_at, completed_at`;
}

/** Reads the rows of `priorLoadsSql`, the last statement of `sql`. */
export async function readPriorLoads(connection: DuckDBConnection, sql: string): Promise<PriorLoad[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => ({
    loadId: String(row.load_id),
    generation: String(row.source_generation),
    status: String(row.status) as MetadataStatus,
    rows: Number(row.row_count ?? 0),
  }));
}

export function selectPriorLoads(connection: DuckDBConnection, table: string, path: string): Promise<PriorLoad[]> {
  return readPriorLoads(connection, priorLoadsSql(table, path));
}

export async function markReplaced(connection: DuckDBConnection, loadIds: readonly string[]): Promise<void> {
  if (loadIds.length === 0) return;
  await connection.run(`UPDATE load_metadata SET status = 'replaced' WHERE load_id IN (${loadIds.map(literal).join(', ')})`);
}
