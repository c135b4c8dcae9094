// The DuckDB warehouse: one database file, opened per CLI run or run of loads (open.ts) and closed after (one writer at a time).
import { stat } from 'node:fs/promises';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { TerminalError } from '../../errors.js';
import { MAX_LINE_BYTES, settled } from '../../load/index.js';
import type { FailedLoad, LoadJob, LoadOptions, LoadResult, PriorLoad, Warehouse } from '../../load/index.js';
import type { PromoteRequest, PromoteResult } from '../../promote/index.js';
import { castFailure, isConversionError } from './cast-failure.js';
import { classifyDuckDbError, isOutOfMemory, isReaderError, outOfMemory, readerFailure } from './errors.js';
import { SuspectRows, runBatchTransaction, runTransaction } from './load-txn.js';
import type { BatchItem } from './load-txn.js';
import { memoryForColumns } from './memory.js';
import { insertFailedLoad, selectPriorLoads } from './metadata.js';
import { promoteInDuckDb } from './promote.js';
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


export interface DuckDbWarehouse extends Warehouse {
  readonly path: string;
  /** Runs a read-only query on the open database (tests, status): the one process holding the file must ask. */
  query(sql: string, values?: (string | number | null)[]): Promise<Record<string, unknown>[]>;
  /** `landfall promote` (the port of lib/promote), in one transaction, queued behind the loads before it. */
  promote(request: PromoteRequest): Promise<PromoteResult>;
}

/** A file of a batch, with its place in the batch and what to set before its statements. */
interface Fitted extends BatchItem {
  index: number;
  fit: () => Promise<void>;
}

export class DuckDbWarehouseImpl implements DuckDbWarehouse {
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
      const fit = await this.fitting(job, rows);
      return await this.serial(async () => {
        await fit();
        return this.attempt(job, rows, options);
      });
    } finally {
      await rows.cleanup();
    }
  }

  /**
   * One transaction for all the files. A file that fails in it is loaded alone (with every way around DuckDB's
   * reader that `load` has) and the rest are tried again together, so a bad file costs one more try of the others.
   */
  async loadBatch(jobs: readonly LoadJob[]): Promise<PromiseSettledResult<LoadResult>[]> {
    if (jobs.length === 1) return [await settled(this.load(jobs[0]!))];
    const made = await Promise.all(jobs.map((job) => settled(this.readableRows(job))));
    const fates: PromiseSettledResult<LoadResult>[] = [];
    const pending: Fitted[] = [];
    try {
      for (const [index, m] of made.entries()) {
        if (m.status === 'rejected') fates[index] = m;
        else pending.push({ index, job: jobs[index]!, rows: m.value, fit: await this.fitting(jobs[index]!, m.value) });
      }
      await this.serial(() => this.commitTogether(pending, fates));
      return fates;
    } finally {
      await Promise.all(made.map((m) => (m.status === 'fulfilled' ? m.value.cleanup() : undefined)));
    }
  }

  private async commitTogether(pending: Fitted[], fates: PromiseSettledResult<LoadResult>[]): Promise<void> {
    while (pending.length > 0) {
      const outcome = await runBatchTransaction(this.connection, this.catalog, pending, (item) => item.fit());
      if ('committed' in outcome) {
        outcome.committed.forEach((value, k) => (fates[pending[k]!.index] = { status: 'fulfilled', value }));
        return;
      }
      // The files before it commit first, as loading them in order would: a table is made by the first file that can
      // make it, not by a later one that fails beside it and then loads alone (into a table of its own types).
      if (outcome.failedAt > 0) await this.commitTogether(pending.splice(0, outcome.failedAt), fates);
      const [bad] = pending.splice(0, 1);
      await bad!.fit();
      fates[bad!.index] = await settled(this.attempt(bad!.job, bad!.rows, {}));
    }
  }

  /**
   * What to set before the job's statements: its memory, and its threads. The reader gives each thread one buffer
   * (MAX_LINE_BYTES): a file smaller than that is read by one thread anyway, and more only cost their coordination
   * (12.2 → 10.3 ms a 1,000-row file here).
   */
  private async fitting(job: LoadJob, rows: RowsFile): Promise<() => Promise<void>> {
    const threads = (await stat(rows.path)).size < MAX_LINE_BYTES ? 1 : this.threads;
    return async () => {
      await this.setMemoryLimit(memoryForColumns(this.baseMemory, job.header.length));
      await this.setThreads(threads);
    };
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
        throw outOfMemory(job, this.memoryLimit, retriedOnOneThread ? 'also on a second attempt with one thread' : 'on one thread', error);
      }
      const context = { file: job.source.name, table: job.table, loadId: job.loadId };
      if (isConversionError(error)) throw await castFailure(this.connection, job, rows, error);
      if ((job.format ?? 'csv') !== 'csv') throw readerFailure(job, error);
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

  /** A promotion changes a table's columns (or, rolled back, not): the catalog forgets what it found either way. */
  promote(request: PromoteRequest): Promise<PromoteResult> {
    const work = () => promoteInDuckDb(this.connection, request).finally(() => this.catalog.forget());
    return this.serial(work).catch((error: unknown) => {
      throw classifyDuckDbError(error, { table: request.table });
    });
  }

  recordFailure(failure: FailedLoad): Promise<void> {
    return this.serial(() => insertFailedLoad(this.connection, failure));
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
