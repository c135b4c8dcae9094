// load_metadata reads and the failure record: single statements with query parameters (integers passed as strings, which both backends take).
import type { BigQuery } from '@google-cloud/bigquery';
import type { FailedLoad, MetadataStatus, PriorLoad } from '../../load/index.js';
import { METADATA_COLUMNS, METADATA_TABLE } from './metadata-schema.js';
import { tableRef } from './names.js';
import { markMetadataLayout } from './tables.js';

export interface Where {
  project: string;
  dataset: string;
  location?: string;
}

export async function query(bq: BigQuery, where: Where, sql: string, params: Record<string, unknown> = {}, types?: Record<string, string>): Promise<Record<string, unknown>[]> {
  const [rows] = await bq.query({ query: sql, params, ...(types ? { types } : {}), ...(where.location ? { location: where.location } : {}) });
  return rows as Record<string, unknown>[];
}

/**
 * The lookup, with parameters @table and @path: equality on both clustering columns, in their order
 * (METADATA_CLUSTERING), so BigQuery reads only the blocks that can hold that path's rows, however long the history.
 */
export function priorLoadsSql(where: Where): string {
  return (
    `SELECT load_id, source_generation, status, row_count FROM ${tableRef(where.project, where.dataset, METADATA_TABLE)} ` +
    'WHERE table_name = @table AND path = @path ORDER BY started_at, completed_at'
  );
}

/** Rows of this path in this table, oldest first. */
export async function selectPriorLoads(bq: BigQuery, where: Where, table: string, path: string): Promise<PriorLoad[]> {
  const rows = await query(bq, where, priorLoadsSql(where), { table, path });
  return rows.map((row) => ({
    loadId: String(row.load_id),
    generation: String(row.source_generation),
    status: String(row.status) as MetadataStatus,
    rows: Number(row.row_count ?? 0),
  }));
}

/**
 * Completes a migration (ensureMetadataTable said `migrated`): one UPDATE rewrites every row, so the older rows are
 * stored under the new clustering too, and gives rows written before `path` existed their file name as path; then
 * the table is marked. Run again after a crash, the UPDATE changes nothing it had not changed already.
 */
export async function fillPaths(bq: BigQuery, where: Where): Promise<void> {
  await query(bq, where, `UPDATE ${tableRef(where.project, where.dataset, METADATA_TABLE)} SET path = IFNULL(path, filename) WHERE TRUE`);
  await markMetadataLayout(bq, where.dataset);
}

export async function insertFailure(bq: BigQuery, where: Where, failure: FailedLoad): Promise<void> {
  const params = {
    load_id: failure.loadId,
    filename: failure.source.name,
    path: failure.source.path,
    table_name: failure.table,
    row_count: '0',
    started_at: failure.startedAt,
    source_uri: failure.source.uri,
    source_generation: await failure.source.generation,
    expected_rows: failure.expectedRows === null ? null : String(failure.expectedRows),
    bytes: String(failure.source.bytes),
    error: failure.error,
  };
  const values = METADATA_COLUMNS.map((c) => (c === 'completed_at' ? 'CURRENT_TIMESTAMP()' : c === 'status' ? "'failed'" : `@${c}`));
  await query(
    bq,
    where,
    `INSERT INTO ${tableRef(where.project, where.dataset, METADATA_TABLE)} (${METADATA_COLUMNS.join(', ')}) VALUES (${values.join(', ')})`,
    params,
    { row_count: 'INT64', expected_rows: 'INT64', bytes: 'INT64', started_at: 'TIMESTAMP' },
  );
}
