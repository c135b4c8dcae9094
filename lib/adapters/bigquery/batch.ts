// Many files, one BigQuery commit: each object copied under its own hive key, one load job per shape, one count
// query, one script. Every file keeps its own `_load_id`, count and cast check, replacements and `load_metadata` row.
import { randomUUID } from 'node:crypto';
import { TerminalError, TransientError } from '../../errors.js';
import { checkLandfallTable, planColumns, planForSource, settled } from '../../load/index.js';
import type { LoadJob, LoadResult, PriorLoad } from '../../load/index.js';
import { countRows } from './batch-count.js';
import type { Fate, Member, Shape } from './batch-count.js';
import { stagedFieldsOf } from './casts.js';
import type { TableColumn } from './column-types.js';
import { batchCommitScript } from './commit-sql.js';
import type { BatchFile, BatchInsert } from './commit-sql.js';
import { classifyBigQueryError, failureOf, isCsvFailure } from './errors.js';
import { runJob, throwIfFailed } from './jobs.js';
import { selectPriorLoads } from './metadata.js';
import type { Where } from './metadata.js';
import { BATCH_KEY, batchStagingTable, checkNewColumns, checkTableId, jobId } from './names.js';
import { stagingWidth } from './staged-sql.js';
import { batchFormat, checkStagingWidth, loadConfiguration, writeCopy } from './staging.js';
import type { StagingContext } from './staging.js';
import { createStagingTable } from './tables.js';

export interface BatchDeps {
  ctx: StagingContext;
  where: Where;
  /**
   * The target table's columns (undefined: no table yet; looked up again for a header they lack a name of), and
   * creating it from a file's fields (and types).
   */
  columns(table: string, header?: readonly string[]): Promise<TableColumn[] | undefined>;
  create(job: LoadJob): Promise<TableColumn[]>;
  /** The one-file path, for a file a batch cannot take as it is (a trailer, an NDJSON copy) or cannot tell apart. */
  alone(job: LoadJob): Promise<LoadResult>;
}

const COPY_CONCURRENCY = 16;
const LOOKUP_CONCURRENCY = 8;
const pairKey = (table: string, path: string) => `${table}\u0000${path}`;

async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Objects a load job can take together: CSV of one dialect and width, or copies of one format and width (their columns mean alike). */
const shapeKey = (m: Member) =>
  m.format === 'csv' ? `csv\u0000${m.job.delimiter}\u0000${m.job.compressed}\u0000${m.job.header.length}` : `ndjson\u0000${m.job.format ?? 'csv'}\u0000${m.job.header.length}`;
const folderOf = (deps: BatchDeps, batchId: string, shape: number) => `${deps.ctx.copies.prefix}batches/${batchId}/${shape}/`;

/** Copies the object (inside the storage service) from where its bytes are now: for a replayed archive copy, not where it first landed. */
async function copyObject(deps: BatchDeps, job: LoadJob, name: string): Promise<{ bucket: string; name: string }> {
  const { storage, copies } = deps.ctx;
  const source = job.source.object ?? objectOf(job.source.uri, await job.source.generation);
  await storage.bucket(source.bucket).file(source.name, { generation: Number(source.generation) }).copy(storage.bucket(copies.bucket).file(name));
  return { bucket: copies.bucket, name };
}

function objectOf(uri: string, generation: string): { bucket: string; name: string; generation: string } {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new TerminalError(`BigQuery loads from gs:// objects only, not ${uri}`);
  return { bucket: match[1]!, name: match[2]!, generation };
}

/** The member a failed load job names (BigQuery puts the object's URI in `errors[].location` or the message). */
function blame(error: unknown, members: readonly Member[]): Member | undefined {
  const e = error as { message?: string; errors?: { location?: string; message?: string }[] };
  const text = [e.message ?? '', ...(e.errors ?? []).flatMap((x) => [x.location ?? '', x.message ?? ''])].join('\n');
  const ids = new Set([...text.matchAll(new RegExp(`${BATCH_KEY}=([0-9a-f-]{36})`, 'gi'))].map((m) => m[1]!.toLowerCase()));
  const named = members.filter((m) => ids.has(m.job.loadId.toLowerCase()));
  return named.length === 1 ? named[0] : undefined;
}

/**
 * Copies each object under its load's folder (inside the storage service) and loads them all with one job. A file
 * the reader refuses fails the job as a whole, changing nothing: the file it names goes alone and the rest are
 * loaded again; when it names none, they all go alone.
 */
async function stageShape(deps: BatchDeps, batchId: string, shape: number, group: Member[], fates: Fate[], alone: Member[], copies: Member['copy'][]): Promise<Shape> {
  const { ctx } = deps;
  const staging = batchStagingTable(batchId, shape);
  const fields = stagedFieldsOf(group[0]!.job);
  const width = stagingWidth(fields);
  const folder = folderOf(deps, batchId, shape);
  await createStagingTable(ctx.bq, ctx.dataset, staging, width, [BATCH_KEY]);
  const members: Member[] = [];
  await eachLimit(group, COPY_CONCURRENCY, async (m) => {
    const name = `${folder}${BATCH_KEY}=${m.job.loadId}/data${m.format === 'ndjson' ? '.ndjson' : m.job.compressed ? '.csv.gz' : '.csv'}`;
    copies.push({ bucket: ctx.copies.bucket, name });
    try {
      m.copy = m.format === 'ndjson' ? await writeCopy(ctx, m.job, name) : await copyObject(deps, m.job, name);
      members.push(m);
    } catch (error) {
      // Writing the NDJSON copy reads every row: a row that breaks a rule fails its file, named by its line.
      if (!(error instanceof TerminalError)) throw error;
      fates[m.index] = { status: 'rejected', reason: error };
    }
  });
  members.sort((a, b) => a.index - b.index);
  let loading = members;
  for (let attempt = 1; loading.length > 0; attempt++) {
    const from = { uris: loading.map((m) => `gs://${m.copy!.bucket}/${m.copy!.name}`), hivePrefix: `gs://${ctx.copies.bucket}/${folder}{${BATCH_KEY}:STRING}` };
    try {
      const finished = await runJob(ctx.bq, jobId(`batch_${shape}`, `${batchId}_${attempt}`), loadConfiguration(ctx, staging, width, from, loading[0]!.job, loading[0]!.format === 'csv'), ctx.location);
      throwIfFailed(finished.metadata);
      return { staging, fields, members: loading };
    } catch (error) {
      const failure = failureOf(error);
      if (!isCsvFailure(failure) && failure.reason !== 'invalid') throw error;
      const bad = blame(error, loading);
      const out = bad ? [bad] : loading;
      alone.push(...out);
      loading = loading.filter((m) => !out.includes(m));
    }
  }
  return { staging, fields, members: [] };
}

/** One script: the tables that are missing created first (only now, when their first file is known good). */
async function commit(deps: BatchDeps, batchId: string, good: Member[], shapes: Shape[], fates: Fate[]): Promise<void> {
  const shapeOf = new Map(shapes.flatMap((s) => s.members.map((m) => [m.index, s] as const)));
  const inserts = new Map<string, BatchInsert>();
  const files: BatchFile[] = [];
  const committed: Member[] = [];
  for (const m of good) {
    const { job } = m;
    try {
      const columns = (await deps.columns(job.table, job.header)) ?? (await deps.create(job));
      const names = columns.map((c) => c.name);
      checkLandfallTable(job.table, names, 'STRING');
      const { staging, fields } = shapeOf.get(m.index)!;
      const key = `${job.table}\u0000${staging}\u0000${job.header.join('\u0000')}`;
      const insert = inserts.get(key) ?? { table: job.table, staging, fields, plan: planColumns(job.header, names), columns, loadIds: [] };
      inserts.set(key, { ...insert, loadIds: [...insert.loadIds, job.loadId] });
      const metadata = {
        filename: job.source.name,
        path: job.source.path,
        rowCount: m.rows!,
        startedAt: job.startedAt,
        sourceUri: job.source.uri,
        sourceGeneration: await job.source.generation,
        expectedRows: job.expected?.rows ?? null,
        bytes: job.source.bytes,
      };
      files.push({ table: job.table, loadId: job.loadId, replaceLoadIds: m.replaceLoadIds, metadata });
      committed.push(m);
    } catch (error) {
      fates[m.index] = { status: 'rejected', reason: classifyBigQueryError(error, { file: job.source.name, table: job.table }) };
    }
  }
  if (committed.length === 0) return;
  const script = batchCommitScript(deps.where, [...inserts.values()], files, shapes.map((s) => s.staging));
  const finished = await runJob(deps.ctx.bq, jobId('commit', batchId), { query: { query: script, useLegacySql: false } }, deps.ctx.location);
  throwIfFailed(finished.metadata);
  for (const m of committed) fates[m.index] = { status: 'fulfilled', value: { status: 'loaded', loadId: m.job.loadId, rows: m.rows!, replacedLoadIds: m.replaceLoadIds } };
}

/** The files decided now: the first of each path (a later generation waits for the next round), less skips. */
async function decide(deps: BatchDeps, jobs: readonly LoadJob[], fates: Fate[], alone: Member[], later: number[]): Promise<Member[]> {
  // A fresh file (the pipeline's first claim of its path) needs no lookup; the others one each, which clustering prunes.
  const priors = new Map<string, PriorLoad[]>();
  await eachLimit(jobs.filter((j) => !j.fresh), LOOKUP_CONCURRENCY, async (j) => {
    priors.set(pairKey(j.table, j.source.path), await selectPriorLoads(deps.ctx.bq, deps.where, j.table, j.source.path));
  });
  const seen = new Set<string>();
  const members: Member[] = [];
  const tables = new Map<string, Promise<TableColumn[] | undefined>>();
  for (const [index, job] of jobs.entries()) {
    try {
      checkTableId(job.table, job.source.name);
      checkStagingWidth(job);
      const key = pairKey(job.table, job.source.path);
      if (seen.has(key)) {
        later.push(index);
        continue;
      }
      seen.add(key);
      const plan = await planForSource(priors.get(key) ?? [], job.source.generation, job.replace, { table: job.table, file: job.source.path });
      if (plan.action === 'skip') {
        fates[index] = { status: 'fulfilled', value: { status: 'skipped', loadId: plan.loadId, rows: 0, replacedLoadIds: [], earlierRows: plan.rows } };
        continue;
      }
      const member: Member = { index, job, format: await batchFormat(deps.ctx.reader, job), replaceLoadIds: plan.replaceLoadIds };
      if (!tables.has(job.table)) tables.set(job.table, deps.columns(job.table));
      const columns = await tables.get(job.table)!;
      if (columns === undefined) checkNewColumns(job.header, { file: job.source.name, table: job.table });
      members.push({ ...member, ...(columns ? { columns } : {}) });
    } catch (error) {
      fates[index] = { status: 'rejected', reason: classifyBigQueryError(error, { file: job.source.name, table: job.table, loadId: job.loadId }) };
    }
  }
  return members;
}

/**
 * Loads the files together; see `Warehouse.loadBatch`. A transient failure (BigQuery busy or out of quota) is thrown
 * for all of them, nothing having been committed; any other failure of the batch's own steps sends each file not yet
 * decided the one-file way, where its own load finds its fate.
 */
export async function loadTogether(deps: BatchDeps, jobs: readonly LoadJob[]): Promise<Fate[]> {
  const fates: Fate[] = new Array<Fate>(jobs.length);
  const alone: Member[] = [];
  const later: number[] = [];
  const copies: Member['copy'][] = [];
  const batchId = randomUUID();
  try {
    const members = await decide(deps, jobs, fates, alone, later);
    const byShape = new Map<string, Member[]>();
    for (const m of members) byShape.set(shapeKey(m), [...(byShape.get(shapeKey(m)) ?? []), m]);
    const shapes: Shape[] = [];
    for (const group of byShape.values()) shapes.push(await stageShape(deps, batchId, shapes.length, group, fates, alone, copies));
    await commit(deps, batchId, await countRows(deps.ctx, deps.where, shapes, fates, alone), shapes, fates);
  } catch (error) {
    const classified = classifyBigQueryError(error, {});
    if (classified instanceof TransientError) throw classified;
    const waiting = new Set([...alone.map((m) => m.index), ...later]);
    jobs.forEach((job, index) => fates[index] === undefined && !waiting.has(index) && alone.push({ index, job, format: 'csv', replaceLoadIds: [] }));
  } finally {
    await eachLimit(copies, COPY_CONCURRENCY, (c) => deps.ctx.storage.bucket(c!.bucket).file(c!.name).delete({ ignoreNotFound: true }).then(() => undefined, () => undefined));
  }
  // In the batch's order, as they would load one by one: the first of a table's files makes it.
  for (const m of alone.sort((a, b) => a.index - b.index)) fates[m.index] = await settled(deps.alone(m.job));
  if (later.length > 0) {
    const rest = await loadTogether(deps, later.map((i) => jobs[i]!));
    later.forEach((i, k) => (fates[i] = rest[k]!));
  }
  return fates;
}
