// What every composition root parses from env at cold start: settings, topology, table mappings, durations, the logger.
import { loadTableMappings, loadTopology, parseSettings, type Env, type Settings, type TableMapping, type Topology } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { jsonLogger, type Logger } from '../pipeline/index.js';

export interface PipelineConfig {
  settings: Settings;
  topology: Topology;
  mappings: TableMapping[];
  leaseMs: number;
  /** How long the loader keeps the DuckDB file open after its last load (`LANDFALL_DUCKDB_IDLE_CLOSE_MS`). */
  duckdbIdleCloseMs: number;
  /** The environment parsed: the BigQuery adapter finds the emulator hosts there (`BIGQUERY_EMULATOR_HOST`, …). */
  env: Env;
}

// Long enough to carry a run of arriving files without a close and re-open (a checkpoint) between each; short
// enough that dbt, which waits for the file, hardly notices.
const DEFAULT_DUCKDB_IDLE_CLOSE_MS = 1000;

/** A whole number of milliseconds from env, at least `min`; anything else is a ConfigError naming the variable. */
export function wholeMs(env: Env, name: string, fallback: number, min = 0): number {
  const value = env[name] ? Number(env[name]) : fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError([{ file: 'env', line: 0, message: `${name} must be a whole number of milliseconds ≥ ${min}, got "${env[name]}"` }]);
  }
  return value;
}

/** The topology the settings name, with GCP_PROJECT as its project when set. */
export function topologyOf(settings: Settings): Promise<Topology> {
  return loadTopology(settings.topologyPath, settings.gcpProject ? { project: settings.gcpProject } : {});
}

/** Parses everything the matcher and loader need once (cold start); every problem is reported here, not at the first message. */
export async function loadPipelineConfig(env: Env): Promise<PipelineConfig> {
  const settings = parseSettings(env);
  const [topology, mappings] = await Promise.all([topologyOf(settings), loadTableMappings(settings.tableConfigPath)]);
  // The topology's lease (claims.leaseSeconds); LANDFALL_LEASE_MS overrides it for a test that wants it short.
  const leaseMs = wholeMs(env, 'LANDFALL_LEASE_MS', topology.claims.leaseSeconds * 1000, 1000);
  const duckdbIdleCloseMs = wholeMs(env, 'LANDFALL_DUCKDB_IDLE_CLOSE_MS', DEFAULT_DUCKDB_IDLE_CLOSE_MS);
  return { settings, topology, mappings, leaseMs, duckdbIdleCloseMs, env };
}

/** One JSON line per event for `component`; DEBUG lines too when LANDFALL_LOG_LEVEL=DEBUG. */
export function loggerFor(component: string, env: Env): Logger {
  return jsonLogger({ component, debug: env.LANDFALL_LOG_LEVEL?.toUpperCase() === 'DEBUG' });
}
