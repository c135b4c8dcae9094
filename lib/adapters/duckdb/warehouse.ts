// The DuckDB warehouse: one database file, opened per CLI run or load batch and closed after (one writer at a time).
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_MEMORY_LIMIT as DEFAULT_MEMORY_LIMIT } from '../../config/settings.js';
import { TerminalError } from '../../errors.js';
import { checkExpectedRows, copyPlainPrefix, physicalLineOf, planColumns, planReplacement } from '../../load/index.js';
import type { FailedLoad, LoadJob, LoadOptions, LoadResult, PriorLoad, Warehouse } from '../../load/index.js';
import { classifyDuckDbError, isLockConflict, parseCsvFailure } from './errors.js';
import { insertSql } from './load-sql.js';
import { METADATA_DDL, insertMetadata, markReplaced, selectPriorLoads } from './metadata.js';
import { ident, literal } from './sql.js';
import { ensureTable } from './tables.js';

export interface DuckDbWarehouseOptions {
  /** DuckDB `memory_limit`, e.g. `512MB`: bounds the memory of a load (it spills beyond it). */
  memoryLimit?: string;
  /** Where DuckDB spills and where plain copies of `.gz` / trailer files are written; the OS temp dir otherwise. */
  tempDirectory?: string;
  threads?: number;
  /**
   * How long to wait for another process (dbt, another loader) to release the file before giving up with a
   * TransientError. Waiting here, rather than failing at once, keeps a load that arrives during a dbt run
   * from spending its few Pub/Sub deliveries on the lock.
   */
  lockWaitMs?: number;
  /**
   * DuckDB's `checkpoint_threshold` (WAL size that triggers a checkpoint inside a commit). A loader that keeps the
   * file open across many small loads raises it so the checkpoint happens when it closes the idle file instead.
   */
  checkpointThreshold?: string;
}

export const DEFAULT_LOCK_WAIT_MS = 60_000;
const LOCK_RETRY_FIRST_MS = 100;
const LOCK_RETRY_MAX_MS = 1_000;

export interface DuckDbWarehouse extends Warehouse {
  readonly path: string;
  /** Runs a read-only query on the open database (tests, status): the one process holding the file must ask. */
  query(sql: string, values?: (string | number | null)[]): Promise<Record<string, unknown>[]>;
}

const PROGRESS_INTERVAL_MS = 250;

interface RowsFile {
  path: string;
  /** The trailer's physical line, counted while copying the rows before it. */
  trailerLine?: number;
  cleanup: () => Promise<void>;
}

/** A file DuckDB can read as plain CSV: the source itself, or a plain copy (gunzipped, cut before the trailer). */
async function rowsFile(job: LoadJob, tempDirectory: string): Promise<RowsFile> {
  if (!job.compressed && job.trailerOffset === undefined) return { path: await job.source.localPath(), cleanup: async () => {} };
  await mkdir(tempDirectory, { recursive: true });
  const path = join(tempDirectory, `landfall-${job.loadId}.csv`);
  const cleanup = () => rm(path, { force: true });
  try {
    // A gzip file is copied out in full too: zlib checks the stream to its end, DuckDB's reader does not.
    const { newlines } = await copyPlainPrefix(job.source, job.compressed, job.trailerOffset ?? Number.POSITIVE_INFINITY, path);
    return { path, cleanup, ...(job.trailerOffset === undefined ? {} : { trailerLine: newlines + 1 }) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A CSV reader error in the file's terms: physical line (DuckDB counts record lines) and what is wrong. */
async function explain(error: unknown, job: LoadJob, path: string): Promise<Error> {
  const context = { file: job.source.name, table: job.table, loadId: job.loadId };
  const failure = parseCsvFailure(error instanceof Error ? error.message : String(error));
  if (!failure) return classifyDuckDbError(error, context);
  const line = await physicalLineOf(createReadStream(path), job.delimiter, failure.recordLine);
  return new TerminalError(`${job.source.name} line ${line}: ${failure.what}`, { ...context, line }, error);
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

/** The body of the one transaction: decide, create, insert, check, replace, record. */
async function loadInTransaction(connection: DuckDBConnection, job: LoadJob, rowsFile: RowsFile, options: LoadOptions): Promise<LoadResult> {
  const prior = await selectPriorLoads(connection, job.table, job.source.name);
  const plan = planReplacement(prior, job.source.generation, job.replace, { table: job.table, file: job.source.name });
  if (plan.action === 'skip') return { status: 'skipped', loadId: plan.loadId, rows: 0, replacedLoadIds: [] };
  const columns = await ensureTable(connection, job.table, job.header);
  const sql = insertSql({
    table: job.table,
    plan: planColumns(job.header, columns),
    columnCount: job.header.length,
    loadId: job.loadId,
    path: rowsFile.path,
    delimiter: job.delimiter,
  });
  const rows = await runWithProgress(connection, sql, options);
  checkExpectedRows(job, rows, rowsFile.trailerLine);
  if (plan.replaceLoadIds.length > 0) {
    await connection.run(`DELETE FROM ${ident(job.table)} WHERE "_load_id" IN (${plan.replaceLoadIds.map(literal).join(', ')})`);
    await markReplaced(connection, plan.replaceLoadIds);
  }
  await insertMetadata(connection, {
    loadId: job.loadId,
    filename: job.source.name,
    table: job.table,
    rowCount: rows,
    startedAt: job.startedAt,
    completedAt: new Date(),
    sourceUri: job.source.uri,
    sourceGeneration: job.source.generation,
    expectedRows: job.expected?.rows ?? null,
    bytes: job.source.bytes,
    status: 'loaded',
    error: null,
  });
  return { status: 'loaded', loadId: job.loadId, rows, replacedLoadIds: plan.replaceLoadIds };
}

class DuckDbWarehouseImpl implements DuckDbWarehouse {
  /** One connection runs one transaction at a time: calls queue behind each other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly tempDirectory: string,
  ) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  priorLoads(table: string, filename: string): Promise<PriorLoad[]> {
    return this.serial(() => selectPriorLoads(this.connection, table, filename));
  }

  load(job: LoadJob, options: LoadOptions = {}): Promise<LoadResult> {
    return this.serial(async () => {
      const rows = await rowsFile(job, this.tempDirectory);
      try {
        await this.connection.run('BEGIN TRANSACTION');
        try {
          const result = await loadInTransaction(this.connection, job, rows, options);
          await this.connection.run(result.status === 'loaded' ? 'COMMIT' : 'ROLLBACK');
          return result;
        } catch (error) {
          await this.connection.run('ROLLBACK').catch(() => undefined);
          throw await explain(error, job, rows.path);
        }
      } finally {
        await rows.cleanup();
      }
    });
  }

  query(sql: string, values: (string | number | null)[] = []): Promise<Record<string, unknown>[]> {
    return this.serial(async () => (await this.connection.runAndReadAll(sql, values)).getRowObjectsJS());
  }

  recordFailure(failure: FailedLoad): Promise<void> {
    return this.serial(async () => {
      await insertMetadata(this.connection, {
        loadId: failure.loadId,
        filename: failure.source.name,
        table: failure.table,
        rowCount: 0,
        startedAt: failure.startedAt,
        completedAt: new Date(),
        sourceUri: failure.source.uri,
        sourceGeneration: failure.source.generation,
        expectedRows: failure.expectedRows,
        bytes: failure.source.bytes,
        status: 'failed',
        error: failure.error,
      });
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      this.connection.closeSync();
      this.instance.closeSync();
    });
  }
}

/**
 * Opens (creating if needed) the database at `path` with bounded memory. DuckDB allows one writing process per
 * file, so a lock held by another process is a TransientError: close the warehouse as soon as the work is done.
 */
/** Opens the file, retrying while another process holds its lock, until `lockWaitMs` has passed. */
async function createWhenUnlocked(path: string, config: Record<string, string>, lockWaitMs: number): Promise<DuckDBInstance> {
  const deadline = Date.now() + lockWaitMs;
  for (let delayMs = LOCK_RETRY_FIRST_MS; ; delayMs = Math.min(delayMs * 2, LOCK_RETRY_MAX_MS)) {
    try {
      return await DuckDBInstance.create(path, config);
    } catch (error) {
      if (!isLockConflict(error) || Date.now() + delayMs > deadline) throw classifyDuckDbError(error, { object: path });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export async function openDuckDbWarehouse(path: string, options: DuckDbWarehouseOptions = {}): Promise<DuckDbWarehouse> {
  const tempDirectory = options.tempDirectory ?? join(tmpdir(), 'landfall');
  const config: Record<string, string> = {
    memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    // Rows of one file need no order among themselves; keeping it costs memory on large loads.
    preserve_insertion_order: 'false',
  };
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  if (options.threads) config.threads = String(options.threads);
  if (options.checkpointThreshold) config.checkpoint_threshold = options.checkpointThreshold;
  const instance = await createWhenUnlocked(path, config, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  const connection = await instance.connect();
  await connection.run(METADATA_DDL);
  return new DuckDbWarehouseImpl(path, instance, connection, tempDirectory);
}
