// The sweep's composition root: the pipeline's config, the batch definitions, and the Firestore, Pub/Sub and Storage clients. No warehouse.
import type { Env } from '../config/index.js';
import type { Logger } from '../pipeline/index.js';
import type { SweepDeps } from '../sweep/index.js';
import { loadBatchDefinitions, type TriggerBatch } from '../transform/index.js';
import { batchStore, connectClients, type Clients } from './clients.js';
import { loadPipelineConfig, loggerFor, type PipelineConfig } from './config.js';

/** The batch definitions for the pipeline's tables: read with the rest of the configuration, before any client connects. */
export function loadBatchesOf(config: PipelineConfig): Promise<TriggerBatch[]> {
  return loadBatchDefinitions(config.settings.batchConfigPath, config.mappings.map((m) => m.table));
}

export function sweepDeps(config: PipelineConfig, batches: TriggerBatch[], clients: Clients, env: Env, log: Logger): SweepDeps {
  return { ...clients, batchStore: batchStore(env, clients.firestore), mappings: config.mappings, batches, topology: config.topology, log };
}

export async function sweepRoot(env: Env): Promise<SweepDeps> {
  const config = await loadPipelineConfig(env);
  const batches = await loadBatchesOf(config);
  return sweepDeps(config, batches, connectClients(env, config.topology), env, loggerFor('sweep', env));
}
