// One file in one DuckDB transaction: decide, create, insert, check, replace, record.
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkExpectedRows, hasSuspectBytes, planColumns, planForSource } from '../../load/index.js';
import type { LoadJob, LoadOptions, LoadResult, PriorLoad } from '../../load/index.js';
import { jsonCopyRelation, parquetRelation } from './format-sql.js';
import { createTableAsSql, insertSql } from './load-sql.js';
import type { Relation } from './load-sql.js';
import { insertMetadataSql, markReplaced, priorLoadsSql, readPriorLoads } from './metadata.js';
import type { RowsFile } from './rows-file.js';
import { ident, literal } from './sql.js';
import type { TableCatalog } from './tables.js';

const PROGRESS_INTERVAL_MS = 250;

/** The rows file holds bytes DuckDB's reader may take otherwise than landfall's rules (SuspectBytes): its load is rolled back. */
export class SuspectRows extends Error {
  constructor(file: string) {
    super(`${file}: DuckDB's reader may misread this file; it is read by landfall's own reader instead`);
    this.name = 'SuspectRows';
  }
}

async function runWithProgress(connection: DuckDBConnection, sql: string, options: LoadOptions): Promise<number> {
  const { onProgress } = options;
  if (!onProgress) return (await connection.run(sql)).rowsChanged;
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  const timer = setInterval(() => onProgress({ percent: connection.progress.percentage }), PROGRESS_INTERVAL_MS);
  try {
    return (await connection.run(sql)).rowsChanged;
  } finally {
    clearInterval(timer);
  }
}

/** How DuckDB reads a file that is not CSV (CSV's own read is the default of the statements). */
export function relationOf(job: LoadJob, rows: RowsFile): Relation | undefined {
  if (job.format === 'jsonl' || job.format === 'avro') return jsonCopyRelation(rows, job);
  if (job.format === 'parquet') return parquetRelation(rows.path, job);
  return undefined;
}

/** The file's rows into the table: the statement that creates it from them, or an INSERT with drift into `_extra`. */
async function insertRows(connection: DuckDBConnection, catalog: TableCatalog, job: LoadJob, rows: RowsFile, options: LoadOptions): Promise<number> {
  const relation = relationOf(job, rows);
  const read = {
    table: job.table,
    columnCount: job.header.length,
    loadId: job.loadId,
    path: rows.path,
    delimiter: rows.delimiter,
    parallel: rows.parallel,
    longestLineBytes: rows.longestLineBytes,
    ...(relation ? { relation } : {}),
  };
  const columns = await catalog.columns(job.table);
  if (columns !== undefined) return runWithProgress(connection, insertSql({ ...read, plan: planColumns(job.header, columns) }), options);
  await runWithProgress(connection, createTableAsSql({ ...read, header: job.header }), options);
  const [counted] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM ${ident(job.table)}`)).getRowObjectsJS();
  return Number(counted?.n ?? 0);
}

/**
 * The body of the one transaction: decide (from the rows `BEGIN` read), create or insert, check, replace. Returns
 * the result and the statement that records it, which the caller sends with the COMMIT.
 */
async function loadInTransaction(
  connection: DuckDBConnection,
  catalog: TableCatalog,
  job: LoadJob,
  rows: RowsFile,
  options: LoadOptions,
  prior: PriorLoad[],
  checkRows: () => Promise<void>,
): Promise<{ result: LoadResult; record?: string }> {
  const plan = await planForSource(prior, job.source.generation, job.replace, { table: job.table, file: job.source.path });
  if (plan.action === 'skip') return { result: { status: 'skipped', loadId: plan.loadId, rows: 0, replacedLoadIds: [], earlierRows: plan.rows } };
  const inserted = await insertRows(connection, catalog, job, rows, options);
  // A row's own problem comes before the count: the file is wrong where that row is.
  await checkRows();
  checkExpectedRows(job, inserted, rows.trailerLine);
  if (plan.replaceLoadIds.length > 0) {
    await connection.run(`DELETE FROM ${ident(job.table)} WHERE "_load_id" IN (${plan.replaceLoadIds.map(literal).join(', ')})`);
    await markReplaced(connection, plan.replaceLoadIds);
  }
  const record = insertMetadataSql({
    loadId: job.loadId,
    filename: job.source.name,
    path: job.source.path,
    table: job.table,
    rowCount: inserted,
    startedAt: job.startedAt,
    completedAt: new Date(),
    sourceUri: job.source.uri,
    sourceGeneration: await job.source.generation,
    expectedRows: job.expected?.rows ?? null,
    bytes: job.source.bytes,
    status: 'loaded',
    error: null,
  });
  return { result: { status: 'loaded', loadId: job.loadId, rows: inserted, replacedLoadIds: plan.replaceLoadIds }, record };
}

/**
 * The scan for suspect bytes, started now beside the insert and heard before the count check: a suspect file's load
 * is rolled back with SuspectRows. A gzip source's own bytes say nothing of its content (the plain copy is read
 * instead); a canonical copy was written by landfall's own reader, so nothing in it is suspect.
 */
function suspectCheck(job: LoadJob, rows: RowsFile): () => Promise<void> {
  const suspect = rows.canonical || (job.format ?? 'csv') !== 'csv' ? Promise.resolve(false) : (!job.compressed && job.source.suspectBytes) || hasSuspectBytes(rows.path);
  suspect.catch(() => undefined);
  return async () => {
    if (await suspect) throw new SuspectRows(job.source.name);
  };
}

/**
 * Runs the job in one transaction and commits it, or rolls it back and rethrows DuckDB's own error. A small file
 * costs three round trips: BEGIN with the read of the path's earlier loads, the rows, and its load_metadata row with
 * the COMMIT. (Each call into DuckDB waits for the event loop, which in a busy loader is most of a small load's time.)
 */
export async function runTransaction(connection: DuckDBConnection, catalog: TableCatalog, job: LoadJob, rows: RowsFile, options: LoadOptions): Promise<LoadResult> {
  const checkRows = suspectCheck(job, rows);
  try {
    const prior = await readPriorLoads(connection, `BEGIN TRANSACTION; ${priorLoadsSql(job.table, job.source.path)}`);
    const { result, record } = await loadInTransaction(connection, catalog, job, rows, options, prior, checkRows);
    if (record === undefined) {
      await connection.run('ROLLBACK');
      return result;
    }
    await connection.run(`${record}; COMMIT`);
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    catalog.forget();
    throw error;
  }
}

export interface BatchItem {
  job: LoadJob;
  rows: RowsFile;
}

/** How a shared transaction ended: committed with every file's result, or rolled back at the file that failed in it. */
export type BatchOutcome = { committed: LoadResult[] } | { failedAt: number; error: unknown };

/**
 * Many files in one transaction, each as `runTransaction` would load it (its `load_metadata` row written at once, so a
 * later generation of the same path in the batch sees it). The first file that fails rolls the whole transaction
 * back and is named, for the caller to load it alone and try the rest again. A failed COMMIT is thrown.
 */
export async function runBatchTransaction<T extends BatchItem>(
  connection: DuckDBConnection,
  catalog: TableCatalog,
  items: readonly T[],
  fit: (item: T) => Promise<void>,
): Promise<BatchOutcome> {
  const checks = items.map((item) => suspectCheck(item.job, item.rows));
  const committed: LoadResult[] = [];
  const rollback = async () => {
    await connection.run('ROLLBACK').catch(() => undefined);
    catalog.forget();
  };
  await connection.run('BEGIN TRANSACTION');
  for (const [i, item] of items.entries()) {
    try {
      await fit(item);
      const prior = await readPriorLoads(connection, priorLoadsSql(item.job.table, item.job.source.path));
      const { result, record } = await loadInTransaction(connection, catalog, item.job, item.rows, {}, prior, checks[i]!);
      if (record !== undefined) await connection.run(record);
      committed.push(result);
    } catch (error) {
      await rollback();
      return { failedAt: i, error };
    }
  }
  try {
    await connection.run('COMMIT');
  } catch (error) {
    await rollback();
    throw error;
  }
  return { committed };
}
