// Builds the dbt trigger's dependencies from env once: batch definitions, the Firestore batch store, the runner.
import type { Firestore } from '@google-cloud/firestore';
import { JobsClient } from '@google-cloud/run';
import { Storage } from '@google-cloud/storage';
import type { Env } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import { connectClients, jsonLogger, loadPipelineConfig } from '../../pipeline/index.js';
import type { Clients, Logger, PipelineConfig } from '../../pipeline/index.js';
import { loadBatchDefinitions } from '../../transform/index.js';
import type { BatchDefinition, DbtRunner, DbtTriggerDeps } from '../../transform/index.js';
import { CloudRunDbtRunner } from './cloud-run-runner.js';
import { FirestoreBatchStore } from './firestore-batch-store.js';
import { LocalDbtRunner } from './local-runner.js';

export interface DbtTriggerConfig {
  pipeline: PipelineConfig;
  batches: BatchDefinition[];
  leaseMs: number;
  maxWaitMs: number;
}

/** A claimed run outlives the function's timeout by this much before another handler may take it over. */
const LEASE_MARGIN_MS = 60_000;

function positiveMs(env: Env, name: string, fallback: number): number {
  const value = env[name] ? Number(env[name]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new ConfigError([{ file: 'env', line: 0, message: `${name} must be a whole number of ms, got "${env[name]}"` }]);
  return value;
}

/** Parses the pipeline config and the batch definitions (every problem at once, with file and line). */
export async function loadDbtTriggerConfig(env: Env): Promise<DbtTriggerConfig> {
  const pipeline = await loadPipelineConfig(env);
  const batches = await loadBatchDefinitions(pipeline.settings.batchConfigPath, pipeline.mappings);
  const timeoutMs = pipeline.topology.functions.dbtTrigger.timeoutSeconds * 1000;
  return {
    pipeline,
    batches,
    leaseMs: positiveMs(env, 'DBT_TRIGGER_LEASE_MS', timeoutMs + LEASE_MARGIN_MS),
    // Half the timeout leaves the other half for the dbt run that may follow the wait.
    maxWaitMs: positiveMs(env, 'DBT_TRIGGER_MAX_WAIT_MS', Math.floor(timeoutMs / 2)),
  };
}

/** Local: dbt from the project venv on the loader's DuckDB file. Production: the Cloud Run job DBT_JOB_NAME. */
export function dbtRunner(config: DbtTriggerConfig, env: Env): DbtRunner {
  const { settings, topology } = config.pipeline;
  if (settings.backend === 'duckdb') {
    return new LocalDbtRunner({ duckdbPath: settings.duckdbPath, ...(env.DBT_BIN ? { dbtBin: env.DBT_BIN } : {}) });
  }
  const storage = new Storage({ projectId: topology.project });
  return new CloudRunDbtRunner(new JobsClient(), {
    project: topology.project,
    region: topology.region,
    job: env.DBT_JOB_NAME || 'landfall-dbt',
    ...(env.DBT_RESULTS_PREFIX ? { resultsPrefix: env.DBT_RESULTS_PREFIX } : {}),
    readText: async (uri) => {
      const [bucket, ...name] = uri.replace(/^gs:\/\//, '').split('/');
      const [bytes] = await storage.bucket(bucket!).file(name.join('/')).download().catch(() => [undefined]);
      return bytes?.toString('utf8');
    },
  });
}

export function batchStore(env: Env, firestore: Firestore): FirestoreBatchStore {
  return new FirestoreBatchStore(firestore, env.LANDFALL_COLLECTION_PREFIX ? { collectionPrefix: env.LANDFALL_COLLECTION_PREFIX } : {});
}

export function dbtTriggerDeps(config: DbtTriggerConfig, env: Env, clients?: Clients, log: Logger = jsonLogger({ component: 'dbtTrigger' })): DbtTriggerDeps {
  const { topology } = config.pipeline;
  const connected = clients ?? connectClients(env, topology);
  return {
    batches: config.batches,
    store: batchStore(env, connected.firestore),
    runner: dbtRunner(config, env),
    bus: connected.bus,
    topology,
    log,
    leaseMs: config.leaseMs,
    maxWaitMs: config.maxWaitMs,
  };
}
