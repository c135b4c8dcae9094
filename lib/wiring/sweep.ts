// The sweep's composition root: the pipeline's config, the batch definitions, and the Firestore, Pub/Sub and Storage clients. No warehouse.
import type { Env } from '../config/index.js';
import type { Logger } from '../pipeline/index.js';
import type { SweepDeps } from '../sweep/index.js';
import { loadBatchDefinitions } from '../transform/index.js';
import { batchStore, connectClients, type Clients } from './clients.js';
import { loadPipelineConfig, loggerFor, type PipelineConfig } from './config.js';

export async function sweepDeps(config: PipelineConfig, clients: Clients, env: Env, log: Logger): Promise<SweepDeps> {
  const batches = await loadBatchDefinitions(config.settings.batchConfigPath, config.mappings.map((m) => m.table));
  return { ...clients, batchStore: batchStore(env, clients.firestore), mappings: config.mappings, batches, topology: config.topology, leaseMs: config.leaseMs, log };
}

export async function sweepRoot(env: Env): Promise<SweepDeps> {
  const config = await loadPipelineConfig(env);
  return sweepDeps(config, connectClients(env, config.topology), env, loggerFor('sweep', env));
}
