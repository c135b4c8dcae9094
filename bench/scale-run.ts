// One run of the scale bench on one backend: the whole local stack (BigQuery: the emulator behind the quota gate), a
// warm-up, the burst with the dbt trigger tapping the load events, then (BigQuery) the lookup at two history sizes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadTopology } from '../lib/config/topology.js';
import { gateBill } from '../test/e2e/bigquery-warehouse.js';
import { startE2E, type E2E } from '../test/e2e/harness.js';
import { billBetween, lookupQueries, perFile, type BurstBill, type PerFile } from './scale-bill.js';
import { growHistory, metadataKey, probeLookup, type LookupFigures } from './scale-lookup.js';
import { startTriggerTap, type TriggerFigures } from './scale-trigger.js';
import { benchFiles, body, writeTableConfig, type BenchFile } from './scale-workload.js';
import { pooled } from './pipeline-uploads.js';

export const BACKENDS = ['bigquery', 'duckdb'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface RunOptions {
  files: number;
  rows: number;
  tables: number;
  concurrency: number;
  probeFiles: number;
  historyMultiplier: number;
  /** The gate's block size for clustered tables' pruning; undefined: its default (BigQuery's ~64 MB). */
  clusterBlockBytes?: number;
  /** The loader's bound on a commit's files; undefined: the topology's (batch.maxFiles). */
  maxFiles?: number;
  /** The loader's requests at once per instance; undefined: the topology's (the local relay pushes maxInstances × this). */
  loaderConcurrency?: number;
  timeoutMs: number;
  keep: boolean;
}

export interface RunResult {
  backend: Backend;
  run: number;
  files: number;
  loaded: number;
  failed: number;
  /** First upload started → the last burst file's load_metadata.completed_at. */
  firstUploadToLastCommitMs: number;
  uploadMs: number;
  /** `load_retry_in_process` lines the loader logged during the burst. */
  loaderRetries: number;
  trigger: TriggerFigures;
  /** BigQuery only: the gate's bill of the burst, per file, its lookup queries, and the lookups at two history sizes. */
  bill?: Omit<BurstBill, 'queries'>;
  lookupsInBurst?: number;
  perFile?: PerFile;
  lookup?: { afterBurst: LookupFigures; grown: LookupFigures };
}

const WARM_UP_FILES = 2;
/** A batch key apart from the burst's, so the busiest Firestore document is the burst's key alone. */
const WARM_UP_KEY = '20261130';
/** BigQuery's DML window: the burst starts this long after the warm-up, so no 10 s window of the bill holds both. */
const DML_WINDOW_MS = 10_000;

/** Waits until every path has a final load event (from index `since` of the harness's events on); answers each path's status. */
async function settled(e2e: E2E, paths: readonly string[], timeoutMs: number, since = 0): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wanted = new Set(paths);
    const found = new Map(e2e.events.slice(since).filter((e) => e.path !== undefined && wanted.has(e.path) && e.status !== 'skipped').map((e) => [e.path!, e.status]));
    if (found.size >= wanted.size) return found;
    if (Date.now() > deadline) throw new Error(`${found.size} of ${wanted.size} files settled within ${timeoutMs} ms (logs: ${e2e.stack.logPath('loader')})`);
    await sleep(200);
  }
}

/** The bill's figures; its query list is long and was read already. */
function withoutQueries(bill: BurstBill): Omit<BurstBill, 'queries'> {
  const { queries, ...figures } = bill;
  void queries;
  return figures;
}

async function commitTimes(e2e: E2E, backend: Backend): Promise<Map<string, number>> {
  const at = backend === 'bigquery' ? 'UNIX_MILLIS(completed_at)' : 'epoch_ms(completed_at)::bigint';
  const rows = await e2e.query(`SELECT path, ${at} AS committed_ms FROM load_metadata WHERE status = 'loaded'`);
  return new Map(rows.map((r) => [String(r.path), Number(r.committed_ms)]));
}

async function logLines(e2e: E2E, fromByte: number, needle: string): Promise<number> {
  const text = (await readFile(e2e.stack.logPath('loader'))).subarray(fromByte).toString('utf8');
  return text.split('\n').filter((line) => line.includes(needle)).length;
}

/** Corrections of burst files (a new file needs no lookup): the first `probeFiles` of the burst, then the next ones. */
async function lookups(e2e: E2E, options: RunOptions, burst: readonly BenchFile[], data: Buffer): Promise<RunResult['lookup']> {
  const wait = (paths: string[], since: number) => settled(e2e, paths, options.timeoutMs, since);
  const n = Math.min(options.probeFiles, Math.floor(burst.length / 2));
  const afterBurst = await probeLookup(e2e, burst.slice(0, n), data, wait);
  await growHistory(e2e, options.historyMultiplier);
  const grown = await probeLookup(e2e, burst.slice(n, 2 * n), data, wait);
  return { afterBurst, grown };
}

export async function runOnce(backend: Backend, run: number, options: RunOptions): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'landfall-scale-'));
  const tables = await writeTableConfig(join(dir, 'tables'), options.tables);
  const bigquery = options.clusterBlockBytes ? { clusterBlockBytes: options.clusterBlockBytes } : {};
  const base = await loadTopology('config/topology.yaml');
  const loader = { ...base.functions.loader, ...(options.loaderConcurrency === undefined ? {} : { concurrency: options.loaderConcurrency }) };
  const batch = { ...base.batch, ...(options.maxFiles === undefined ? {} : { maxFiles: options.maxFiles }) };
  const topology = { ...base, batch, functions: { ...base.functions, loader } };
  // The topology's own claim lease, as production runs: a commit longer than the tests' short lease would be retaken.
  const e2e = await startE2E({ ...(backend === 'bigquery' ? { bigquery } : {}), topology, leaseMs: 'topology', functionEnv: { TABLE_CONFIG_PATH: join(dir, 'tables') } });
  try {
    const data = body(options.rows);
    const tap = await startTriggerTap(e2e.stack, tables);
    // Cold start (first channels, first tables and load_metadata) is not what this measures.
    const warm = benchFiles(WARM_UP_FILES, options.tables, 'w', WARM_UP_KEY);
    for (const file of warm) {
      await e2e.upload(file.name, data);
      await settled(e2e, [file.name], options.timeoutMs);
    }
    if (backend === 'bigquery') await sleep(DML_WINDOW_MS);
    const before = backend === 'bigquery' ? await gateBill(e2e.stack) : undefined;
    const logFrom = await e2e.logSize('loader');

    const burst: BenchFile[] = benchFiles(options.files, options.tables, 'f');
    const started = Date.now();
    await pooled(burst.map((f) => f.name), options.concurrency, (name) => e2e.upload(name, data));
    const uploadMs = Date.now() - started;
    const fates = await settled(e2e, burst.map((f) => f.name), options.timeoutMs);
    const commits = await commitTimes(e2e, backend);
    const burstCommits = burst.map((f) => commits.get(f.name)).filter((t): t is number => t !== undefined);
    const bill = before && billBetween(before, await gateBill(e2e.stack));
    const trigger = await tap.stop(WARM_UP_FILES + options.files, options.timeoutMs);

    return {
      backend,
      run,
      files: options.files,
      loaded: [...fates.values()].filter((s) => s === 'loaded').length,
      failed: [...fates.values()].filter((s) => s === 'failed').length,
      firstUploadToLastCommitMs: Math.max(...burstCommits) - started,
      uploadMs,
      loaderRetries: await logLines(e2e, logFrom, '"load_retry_in_process"'),
      trigger,
      ...(bill ? { bill: withoutQueries(bill), perFile: perFile(bill, options.files), lookupsInBurst: lookupQueries(bill.queries, metadataKey(e2e)).length } : {}),
      ...(backend === 'bigquery' ? { lookup: await lookups(e2e, options, burst, data) } : {}),
    };
  } finally {
    await e2e.stop();
    if (options.keep) process.stderr.write(`bench: kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}
