// The BigQuery warehouse: stage the object with a load job, check the count, then one transaction inserts the rows and records the load.
import type { BigQuery } from '@google-cloud/bigquery';
import type { Storage } from '@google-cloud/storage';
import { TerminalError } from '../../errors.js';
import { checkExpectedRows, checkLandfallTable, firstBadRecord, jobRecords, planColumns, planForSource, settled } from '../../load/index.js';
import { loadTogether } from './batch.js';
import type { FailedLoad, LoadJob, LoadResult, PriorLoad, Warehouse } from '../../load/index.js';
import { castFailure, fieldChecks, stagedFieldsOf } from './casts.js';
import type { FieldCheck } from './casts.js';
import type { TableColumn } from './column-types.js';
import { commitScript } from './commit-sql.js';
import { badValuesOf, countSql } from './count-sql.js';
import { classifyBigQueryError } from './errors.js';
import { runJob, throwIfFailed } from './jobs.js';
import { fillPaths, insertFailure, query, selectPriorLoads } from './metadata.js';
import type { Where } from './metadata.js';
import { checkNewColumns, checkTableId, jobId } from './names.js';
import { BIGQUERY_CSV, checkStagingWidth, stage } from './staging.js';
import type { CsvReader, Staged, StagingContext } from './staging.js';
import { createTargetTable, ensureMetadataTable, tableColumns } from './tables.js';

export interface BigQueryWarehouseOptions {
  bq: BigQuery;
  storage: Storage;
  project: string;
  dataset: string;
  location?: string;
  /** What the backend's CSV reader handles; BigQuery's unless running on the emulator. */
  reader?: CsvReader;
  /** Where NDJSON copies go when the reader cannot take a file as it is; the source's bucket otherwise. */
  copies?: { bucket?: string; prefix?: string };
}

export interface BigQueryWarehouse extends Warehouse {
  /**
   * Bytes of source objects this warehouse asked for itself (ranged reads of trailers and heads). `loadFile` hands it a
   * source that serves them from the reads it made already, so they add nothing to what the object is read.
   */
  readonly bytesRead: number;
}

class BigQueryWarehouseImpl implements BigQueryWarehouse {
  bytesRead = 0;
  private readonly where: Where;
  private readonly tables = new Map<string, TableColumn[]>();

  constructor(private readonly options: BigQueryWarehouseOptions) {
    this.where = { project: options.project, dataset: options.dataset, ...(options.location ? { location: options.location } : {}) };
  }

  async priorLoads(table: string, path: string): Promise<PriorLoad[]> {
    try {
      return await selectPriorLoads(this.options.bq, this.where, table, path);
    } catch (error) {
      throw classifyBigQueryError(error, { table, file: path });
    }
  }

  private stagingContext(job: LoadJob): StagingContext {
    const { bq, storage, project, dataset, location, copies } = this.options;
    const sourceBucket = job.source.object?.bucket ?? /^gs:\/\/([^/]+)\//.exec(job.source.uri)?.[1] ?? '';
    return {
      bq,
      storage,
      project,
      dataset,
      ...(location ? { location } : {}),
      reader: this.options.reader ?? BIGQUERY_CSV,
      copies: { bucket: copies?.bucket ?? sourceBucket, prefix: copies?.prefix ?? '_landfall_staging/' },
    };
  }

  /**
   * Rows staged for the table: all of them, less the trailer line when it was staged too. The same query finds, for
   * each field going into a typed column, a value that does not cast: the file fails, named by that value's line.
   */
  private async stagedRows(job: LoadJob, staged: Staged, checks: readonly FieldCheck[]): Promise<number> {
    const nuls = (this.options.reader ?? BIGQUERY_CSV).loadsNul;
    const sql = countSql(this.where, staged.staging, stagedFieldsOf(job), { ...(staged.trailer ? { trailer: staged.trailer } : {}), nuls, checks });
    const [counts] = await query(this.options.bq, this.where, sql);
    const badCast = await castFailure(job, checks, badValuesOf(counts, checks));
    if (badCast) throw badCast;
    if (Number(counts?.nuls ?? 0) > 0) {
      // A NUL BigQuery would have refused: the file's one read names its line.
      const bad = await firstBadRecord(jobRecords(job));
      if (bad) throw bad;
      throw new TerminalError(`${job.source.name}: a value holds a NUL byte (0x00), which no warehouse column may hold`, { file: job.source.name, table: job.table });
    }
    const total = Number(counts?.total ?? 0);
    if (!staged.trailer) return total;
    if (Number(counts?.trailers ?? 0) < 1) {
      throw new TerminalError(`${job.source.name}: the trailer line was not among the rows loaded`, { file: job.source.name, table: job.table });
    }
    return total - 1;
  }

  private async loadStaged(job: LoadJob, staged: Staged, replaceLoadIds: string[], columnsBefore: TableColumn[] | undefined, checks: FieldCheck[]): Promise<number> {
    const rows = await this.stagedRows(job, staged, checks);
    checkExpectedRows(job, rows);
    // The table is created only now, when the file is known to be good: a bad first file leaves no table behind.
    const columns = columnsBefore ?? (await createTargetTable(this.options.bq, this.options.dataset, job.table, job.header, job.types));
    checkLandfallTable(job.table, columns.map((c) => c.name), 'STRING');
    const script = commitScript({
      where: this.where,
      table: job.table,
      staging: staged.staging,
      fields: stagedFieldsOf(job),
      plan: planColumns(job.header, columns.map((c) => c.name)),
      columns,
      loadId: job.loadId,
      ...(staged.trailer ? { trailer: staged.trailer } : {}),
      replaceLoadIds,
      metadata: {
        filename: job.source.name,
        path: job.source.path,
        rowCount: rows,
        startedAt: job.startedAt,
        sourceUri: job.source.uri,
        sourceGeneration: await job.source.generation,
        expectedRows: job.expected?.rows ?? null,
        bytes: job.source.bytes,
      },
    });
    const finished = await runJob(this.options.bq, jobId('commit', job.loadId), { query: { query: script, useLegacySql: false } }, this.options.location);
    throwIfFailed(finished.metadata);
    return rows;
  }

  async load(job: LoadJob): Promise<LoadResult> {
    const context = { file: job.source.name, table: job.table, loadId: job.loadId, object: job.source.uri };
    try {
      checkTableId(job.table, job.source.name);
      checkStagingWidth(job);
      const prior = job.fresh ? [] : await selectPriorLoads(this.options.bq, this.where, job.table, job.source.path);
      const plan = await planForSource(prior, job.source.generation, job.replace, { table: job.table, file: job.source.path });
      if (plan.action === 'skip') return { status: 'skipped', loadId: plan.loadId, rows: 0, replacedLoadIds: [], earlierRows: plan.rows };
      const columns = await tableColumns(this.options.bq, this.options.dataset, job.table);
      if (columns === undefined) checkNewColumns(job.header, { file: job.source.name, table: job.table });
      // A new table takes the file's own types, which its values cast to: only an existing table's are checked.
      const checks = columns ? fieldChecks(job, columns) : [];
      const staged = await stage(this.stagingContext(job), job);
      this.bytesRead += staged.bytesRead;
      try {
        const rows = await this.loadStaged(job, staged, plan.replaceLoadIds, columns, checks);
        return { status: 'loaded', loadId: job.loadId, rows, replacedLoadIds: plan.replaceLoadIds };
      } finally {
        if (staged.copy) await this.options.storage.bucket(staged.copy.bucket).file(staged.copy.name).delete({ ignoreNotFound: true }).catch(() => undefined);
      }
    } catch (error) {
      throw classifyBigQueryError(error, context);
    }
  }

  /** One file goes the one-file way; more go together (batch.ts): one lookup, a load job per shape, one commit. */
  async loadBatch(jobs: readonly LoadJob[]): Promise<PromiseSettledResult<LoadResult>[]> {
    if (jobs.length === 1) return [await settled(this.load(jobs[0]!))];
    const { bq, dataset } = this.options;
    return loadTogether(
      {
        ctx: this.stagingContext(jobs[0]!),
        where: this.where,
        columns: (table, header) => this.columnsOf(table, header),
        create: async (job) => this.remember(job.table, await createTargetTable(bq, dataset, job.table, job.header, job.types)),
        alone: (job) => this.load(job),
      },
      jobs,
    );
  }

  /**
   * Columns of tables found, kept while the warehouse is open. Only a promotion (`landfall promote`) changes them, by
   * adding one: a file whose header has a name they lack (drift, or a field promoted since) looks them up again.
   */
  private async columnsOf(table: string, header?: readonly string[]): Promise<TableColumn[] | undefined> {
    const known = this.tables.get(table);
    if (known && (header === undefined || planColumns(header, known.map((c) => c.name)).extra.length === 0)) return known;
    const columns = await tableColumns(this.options.bq, this.options.dataset, table);
    return columns === undefined ? undefined : this.remember(table, columns);
  }

  private remember(table: string, columns: TableColumn[]): TableColumn[] {
    this.tables.set(table, columns);
    return columns;
  }

  async recordFailure(failure: FailedLoad): Promise<void> {
    try {
      await insertFailure(this.options.bq, this.where, failure);
    } catch (error) {
      throw classifyBigQueryError(error, { table: failure.table, loadId: failure.loadId, file: failure.source.name });
    }
  }

  async close(): Promise<void> {
    // The clients hold no connections that need closing.
  }
}

/** Opens the warehouse on an existing dataset, creating `load_metadata` when it is missing (or adding its `path`). */
export async function openBigQueryWarehouse(options: BigQueryWarehouseOptions): Promise<BigQueryWarehouse> {
  try {
    const where = { project: options.project, dataset: options.dataset, ...(options.location ? { location: options.location } : {}) };
    if ((await ensureMetadataTable(options.bq, options.dataset)) === 'migrated') await fillPaths(options.bq, where);
  } catch (error) {
    throw classifyBigQueryError(error, {});
  }
  return new BigQueryWarehouseImpl(options);
}
