// Runtime settings: every env var landfall reads, with its default, parsed once by a pure function.
import { configProblem } from '../errors.js';

export const BACKENDS = ['duckdb', 'bigquery'] as const;
/** 256MB keeps a 2 GB load under 512 MiB peak RSS (bench/load.ts --bytes 2G). */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = '256MB';

export type Backend = (typeof BACKENDS)[number];

export interface Settings {
  tableConfigPath: string;
  batchConfigPath: string;
  topologyPath: string;
  backend: Backend;
  duckdbPath: string;
  /** DuckDB memory_limit: bounds DuckDB's share of a load's memory (Node and CSV buffers come on top: 256MB keeps a 2 GB load under 512 MiB RSS). */
  duckdbMemoryLimit: string;
  /** How long a load waits for another process (dbt) to release the DuckDB file before it is a transient failure. */
  duckdbLockWaitMs: number;
  /** Where DuckDB spills when a load exceeds its memory limit. */
  duckdbTempDirectory: string | undefined;
  landingPath: string | undefined;
  archivePath: string | undefined;
  failedPath: string | undefined;
  loaderWorkers: number;
  gcpProject: string | undefined;
  bqDataset: string | undefined;
  stagingBucket: string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A bad environment setting: a ConfigError about `env`. */
const settingsError = (message: string) => configProblem('env', message);

export function parseSettings(env: Env): Settings {
  const backend = (env.LOADER_BACKEND ?? 'duckdb') as Backend;
  if (!BACKENDS.includes(backend)) {
    throw settingsError(`LOADER_BACKEND must be one of ${BACKENDS.join(', ')}, got "${env.LOADER_BACKEND}"`);
  }
  const workers = Number(env.LOADER_WORKERS ?? '1');
  if (!Number.isInteger(workers) || workers < 1) {
    throw settingsError(`LOADER_WORKERS must be a positive whole number, got "${env.LOADER_WORKERS}"`);
  }
  const lockWaitMs = Number(env.DUCKDB_LOCK_WAIT_MS ?? '60000');
  if (!Number.isInteger(lockWaitMs) || lockWaitMs < 0) {
    throw settingsError(`DUCKDB_LOCK_WAIT_MS must be a whole number of milliseconds, got "${env.DUCKDB_LOCK_WAIT_MS}"`);
  }
  return {
    tableConfigPath: env.TABLE_CONFIG_PATH || 'config/tables',
    batchConfigPath: env.BATCH_CONFIG_PATH || 'config/batches',
    topologyPath: env.TOPOLOGY_PATH || 'config/topology.yaml',
    backend,
    duckdbPath: env.DUCKDB_PATH || 'dev.duckdb',
    duckdbMemoryLimit: env.DUCKDB_MEMORY_LIMIT || DEFAULT_DUCKDB_MEMORY_LIMIT,
    duckdbLockWaitMs: lockWaitMs,
    duckdbTempDirectory: env.DUCKDB_TEMP_DIRECTORY || undefined,
    landingPath: env.LANDING_PATH || undefined,
    archivePath: env.ARCHIVE_PATH || undefined,
    failedPath: env.FAILED_PATH || undefined,
    loaderWorkers: workers,
    gcpProject: env.GCP_PROJECT || env.GOOGLE_CLOUD_PROJECT || undefined,
    bqDataset: env.BQ_DATASET || undefined,
    stagingBucket: env.STAGING_BUCKET || undefined,
  };
}
