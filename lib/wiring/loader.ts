// The loader's composition root: the matcher's clients, plus the one warehouse LOADER_BACKEND names, and only that one loaded.
import type { Env } from '../config/index.js';
import type { Warehouse } from '../load/index.js';
import { groupCommit, serialEngine, type LoadEngine, type LoaderDeps, type Logger } from '../pipeline/index.js';
import { connectClients, type Clients } from './clients.js';
import { loadPipelineConfig, loggerFor, type PipelineConfig } from './config.js';

/** The loader keeps DuckDB open across a run of loads: checkpoint when it closes the idle file, not inside a commit. */
const LOADER_CHECKPOINT_THRESHOLD = '1GB';

/**
 * BigQuery holds no connection and loads from gs:// itself (nothing is downloaded), so it is opened once; DuckDB goes
 * through the one-writer serial engine. Either way files ready together commit together (group commit). Each backend's module is imported only when chosen.
 */
export async function loadEngine(config: PipelineConfig, log: Logger): Promise<LoadEngine> {
  const { settings } = config;
  const { maxFiles, maxBytes, commitIntervalSeconds } = config.topology.batch;
  // One line per commit: how many files went together, and how long the commit interval held them.
  const onCommit = (commit: { files: number; bytes: number; waitedMs: number }) => log('INFO', 'commit_started', commit);
  if (settings.backend === 'bigquery') {
    const { checkBigQuerySettings, openBigQueryWarehouseFromSettings } = await import('../adapters/bigquery/index.js');
    checkBigQuerySettings(settings);
    // BigQuery counts DML per table per 10 s: commits are spaced as the topology says (a lone file still goes at once).
    const load = groupCommit({ maxFiles, maxBytes, commitIntervalMs: commitIntervalSeconds * 1000, onCommit });
    let opened: Promise<Warehouse> | undefined;
    return async (request) => {
      let warehouse: Warehouse;
      try {
        warehouse = await (opened ??= openBigQueryWarehouseFromSettings(settings, config.env));
      } catch (error) {
        opened = undefined; // BigQuery unreachable: the next load tries again.
        throw error;
      }
      return load(warehouse, request);
    };
  }
  const { openDuckDbWarehouse } = await import('../adapters/duckdb/index.js');
  const options = {
    memoryLimit: settings.duckdbMemoryLimit,
    lockWaitMs: settings.duckdbLockWaitMs,
    checkpointThreshold: LOADER_CHECKPOINT_THRESHOLD,
    ...(settings.duckdbTempDirectory ? { tempDirectory: settings.duckdbTempDirectory } : {}),
  };
  // DuckDB has no quota: a commit starts as soon as the last one ends, with whatever is ready by then.
  const load = groupCommit({ maxFiles, maxBytes, commitIntervalMs: 0, onCommit });
  return serialEngine(() => openDuckDbWarehouse(settings.duckdbPath, options), load, { idleCloseMs: config.duckdbIdleCloseMs });
}

/** The loader's dependencies from config and clients (tests pass their own logger). */
export async function loaderDeps(config: PipelineConfig, clients: Clients, log: Logger): Promise<LoaderDeps> {
  return { ...clients, mappings: config.mappings, topology: config.topology, log, load: await loadEngine(config, log), leaseMs: config.leaseMs };
}

export async function loaderRoot(env: Env): Promise<LoaderDeps> {
  const config = await loadPipelineConfig(env);
  return loaderDeps(config, connectClients(env, config.topology), loggerFor('loader', env));
}
