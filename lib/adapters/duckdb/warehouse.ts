// The DuckDB warehouse: one database file, opened per CLI run or load batch and closed after (one writer at a time).
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_MEMORY_LIMIT as DEFAULT_MEMORY_LIMIT } from '../../config/settings.js';
import { TerminalError } from '../../errors.js';
import { MAX_LINE_BYTES } from '../../load/index.js';
import type { FailedLoad, LoadJob, LoadOptions, LoadResult, PriorLoad, Warehouse } from '../../load/index.js';
import { classifyDuckDbError, isLockConflict, isOutOfMemory, isReaderError } from './errors.js';
import { SuspectRows, runTransaction } from './load-txn.js';
import { memoryBytes, memoryForColumns } from './memory.js';
import { ensureMetadataTable, insertMetadata, selectPriorLoads } from './metadata.js';
import { canonicalRowsFile, rowsFile, type RowsFile } from './rows-file.js';
import { TableCatalog } from './tables.js';

export interface DuckDbWarehouseOptions {
  /**
   * DuckDB `memory_limit` for a file's rows, e.g. `512MB`: a load spills beyond it. DuckDB also reserves about
   * 160 KiB per column of the table it appends to, whatever the rows: that much is added per column of the file.
   */
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

class DuckDbWarehouseImpl implements DuckDbWarehouse {
  /** One connection runs one transaction at a time: calls queue behind each other. */
  private queue: Promise<unknown> = Promise.resolve();
  private memoryLimit: number;
  private threadsSet: number;
  private readonly catalog: TableCatalog;

  constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly tempDirectory: string,
    private readonly baseMemory: number,
    private readonly threads: number,
  ) {
    this.memoryLimit = baseMemory;
    this.threadsSet = threads;
    this.catalog = new TableCatalog(connection);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  priorLoads(table: string, path: string): Promise<PriorLoad[]> {
    return this.serial(() => selectPriorLoads(this.connection, table, path));
  }

  /**
   * The file DuckDB reads is made (a link, or a plain copy of a gzip or trailer file) before the load's turn on the
   * connection, so that file work runs beside another load's transaction rather than in the queue behind it.
   */
  async load(job: LoadJob, options: LoadOptions = {}): Promise<LoadResult> {
    const rows = await this.readableRows(job);
    try {
      // The reader gives each thread one buffer (MAX_LINE_BYTES): a file smaller than that is read by one thread
      // anyway, and more only cost their coordination (12.2 → 10.3 ms a 1,000-row file here).
      const threads = (await stat(rows.path)).size < MAX_LINE_BYTES ? 1 : this.threads;
      return await this.serial(async () => {
        await this.setMemoryLimit(memoryForColumns(this.baseMemory, job.header.length));
        await this.setThreads(threads);
        return this.attempt(job, rows, options);
      });
    } finally {
      await rows.cleanup();
    }
  }

  /**
   * The rows as DuckDB reads them. Its reader mistakes quotes beside a delimiter of several bytes (`¶`, `€`: a
   * quoted value can run on past its closing quote, a letter lost), so such a file is read by landfall's own reader
   * into a canonical copy instead.
   */
  private async readableRows(job: LoadJob): Promise<RowsFile> {
    const rows = await rowsFile(job, this.tempDirectory);
    if (Buffer.byteLength(job.delimiter) === 1) return rows;
    try {
      return await canonicalRowsFile(job, rows, this.tempDirectory);
    } finally {
      await rows.cleanup();
    }
  }

  /**
   * One transaction, and the failures another attempt can get past: running out of memory (tried once more on one
   * thread, then the file's own failure), and a file DuckDB's reader refuses but landfall's rules accept.
   */
  private async attempt(job: LoadJob, rows: RowsFile, options: LoadOptions, retriedOnOneThread = false): Promise<LoadResult> {
    try {
      return await runTransaction(this.connection, this.catalog, job, rows, options);
    } catch (error) {
      if (isOutOfMemory(error)) {
        if (this.threadsSet > 1) return this.onOneThread(job, rows, options);
        throw this.outOfMemory(job, retriedOnOneThread ? 'also on a second attempt with one thread' : 'on one thread', error);
      }
      const context = { file: job.source.name, table: job.table, loadId: job.loadId };
      if (!(error instanceof SuspectRows) && !isReaderError(error)) throw classifyDuckDbError(error, context);
      if (rows.canonical) {
        const what = `DuckDB's CSV reader refused landfall's canonical copy of a file that keeps every rule (${String((error as Error).message).split('\n')[0]})`;
        throw new TerminalError(`${job.source.name}: ${what}`, context, error);
      }
      return this.fromCanonicalCopy(job, rows, options);
    }
  }

  /**
   * DuckDB's reader refused the file, or may misread it. Landfall's reader reads it once: the first row that breaks a
   * rule is the file's failure, named by its line; a file that keeps every rule loads from the canonical copy it writes.
   */
  private async fromCanonicalCopy(job: LoadJob, rows: RowsFile, options: LoadOptions): Promise<LoadResult> {
    const canonical = await canonicalRowsFile(job, rows, this.tempDirectory);
    try {
      return await this.attempt(job, canonical, options);
    } finally {
      await canonical.cleanup();
    }
  }

  private async onOneThread(job: LoadJob, rows: RowsFile, options: LoadOptions): Promise<LoadResult> {
    const before = this.threadsSet;
    await this.setThreads(1);
    try {
      return await this.attempt(job, rows, options, true);
    } finally {
      await this.setThreads(before);
    }
  }

  private outOfMemory(job: LoadJob, how: string, cause: unknown): TerminalError {
    const file = job.source.name;
    const what = `DuckDB ran out of memory loading it (memory limit ${this.memoryLimit} bytes for its ${job.header.length} columns), ${how}: raise DUCKDB_MEMORY_LIMIT to load it`;
    return new TerminalError(`${file}: ${what}`, { file, table: job.table, loadId: job.loadId }, cause);
  }

  private async setThreads(threads: number): Promise<void> {
    if (threads === this.threadsSet) return;
    await this.connection.run(`SET threads = ${threads}`);
    this.threadsSet = threads;
  }

  private async setMemoryLimit(bytes: number): Promise<void> {
    if (bytes === this.memoryLimit) return;
    await this.connection.run(`SET memory_limit = '${bytes}B'`);
    this.memoryLimit = bytes;
  }

  query(sql: string, values: (string | number | null)[] = []): Promise<Record<string, unknown>[]> {
    return this.serial(async () => (await this.connection.runAndReadAll(sql, values)).getRowObjectsJS());
  }

  recordFailure(failure: FailedLoad): Promise<void> {
    return this.serial(async () => {
      await insertMetadata(this.connection, {
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
      });
    });
  }

  /**
   * The checkpoint first, as a statement on DuckDB's worker threads: closing would otherwise write it on the event
   * loop (2 s after a 1,000-file burst, when the loader's idle timer closes the file). If it fails, closing
   * tries it again and reports nothing either way, as a plain close would.
   */
  close(): Promise<void> {
    return this.serial(async () => {
      await this.connection.run('CHECKPOINT').catch(() => undefined);
      this.connection.closeSync();
      this.instance.closeSync();
    });
  }
}

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

/**
 * Opens (creating if needed) the database at `path` with bounded memory. DuckDB allows one writing process per
 * file, so a lock held by another process is a TransientError: close the warehouse as soon as the work is done.
 */
export async function openDuckDbWarehouse(path: string, options: DuckDbWarehouseOptions = {}): Promise<DuckDbWarehouse> {
  const tempDirectory = options.tempDirectory ?? join(tmpdir(), 'landfall');
  const memory = memoryBytes(options.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
  const config: Record<string, string> = {
    memory_limit: `${memory}B`,
    // Rows of one file need no order among themselves; keeping it costs memory on large loads.
    preserve_insertion_order: 'false',
  };
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  if (options.threads) config.threads = String(options.threads);
  if (options.checkpointThreshold) config.checkpoint_threshold = options.checkpointThreshold;
  const instance = await createWhenUnlocked(path, config, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  const connection = await instance.connect();
  await ensureMetadataTable(connection);
  const threads = Number((await connection.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJS()[0]?.t);
  return new DuckDbWarehouseImpl(path, instance, connection, tempDirectory, memory, threads);
}
