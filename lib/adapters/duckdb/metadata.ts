// The `load_metadata` table in DuckDB: one row per load attempt that got as far as the warehouse.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetadataStatus, PriorLoad } from '../../load/warehouse.js';
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
  const found = await connection.runAndReadAll(
    `SELECT 1 FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema()
     AND table_name = 'load_metadata' AND column_name = 'path'`,
  );
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

export async function insertMetadata(connection: DuckDBConnection, row: MetadataRow): Promise<void> {
  await connection.run(
    `INSERT INTO load_metadata (load_id, filename, table_name, row_count, started_at, completed_at, source_uri, source_generation,
       expected_rows, bytes, status, error, path)
     VALUES ($1, $2, $3, $4::BIGINT, $5::TIMESTAMP, $6::TIMESTAMP, $7, $8, $9::BIGINT, $10::BIGINT, $11, $12, $13)`,
    [
      row.loadId,
      row.filename,
      row.table,
      String(row.rowCount),
      utcTimestamp(row.startedAt),
      utcTimestamp(row.completedAt),
      row.sourceUri,
      row.sourceGeneration,
      row.expectedRows === null ? null : String(row.expectedRows),
      String(row.bytes),
      row.status,
      row.error,
      row.path,
    ],
  );
}

/** Rows of this path in this table (table names compare case-insensitively, as DuckDB's catalog does). */
export async function selectPriorLoads(connection: DuckDBConnection, table: string, path: string): Promise<PriorLoad[]> {
  const reader = await connection.runAndReadAll(
    `SELECT load_id, source_generation, status, row_count FROM load_metadata
     WHERE lower(table_name) = lower($1) AND path = $2 ORDER BY started_at, completed_at`,
    [table, path],
  );
  return reader.getRowObjectsJS().map((row) => ({
    loadId: String(row.load_id),
    generation: String(row.source_generation),
    status: String(row.status) as MetadataStatus,
    rows: Number(row.row_count ?? 0),
  }));
}

export async function markReplaced(connection: DuckDBConnection, loadIds: readonly string[]): Promise<void> {
  if (loadIds.length === 0) return;
  await connection.run(`UPDATE load_metadata SET status = 'replaced' WHERE load_id IN (${loadIds.map(literal).join(', ')})`);
}
