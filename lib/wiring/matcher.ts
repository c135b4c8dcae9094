// The matcher's composition root: its config and the clients it uses (Firestore, Pub/Sub; Storage when a replay needs it).
import type { Env } from '../config/index.js';
import type { Logger, MatcherDeps } from '../pipeline/index.js';
import { connectClients, type Clients } from './clients.js';
import { loadPipelineConfig, loggerFor, type PipelineConfig } from './config.js';

/** The matcher's dependencies from config and clients (tests pass their own logger). */
export function matcherDeps(config: PipelineConfig, clients: Clients, log: Logger): MatcherDeps {
  return { ...clients, mappings: config.mappings, topology: config.topology, log };
}

export async function matcherRoot(env: Env): Promise<MatcherDeps> {
  const config = await loadPipelineConfig(env);
  return matcherDeps(config, connectClients(env, config.topology), loggerFor('matcher', env));
}
