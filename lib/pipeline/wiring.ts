// The one place real clients are built from env: Storage, Firestore, Pub/Sub and the warehouse.
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { checkBigQuerySettings, openBigQueryWarehouseFromSettings } from '../adapters/bigquery/index.js';
import { openDuckDbWarehouse } from '../adapters/duckdb/index.js';
import { FirestoreStateStore } from '../adapters/firestore/index.js';
import { GcsObjectStore } from '../adapters/gcs/index.js';
import { PubSubBus } from '../adapters/pubsub/index.js';
import { loadTableMappings, loadTopology, parseSettings, type Env, type Settings, type TableMapping, type Topology } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { loadFile } from '../load/index.js';
import type { Warehouse } from '../load/index.js';
import type { LoadEngine } from './load-step.js';
import type { LoaderDeps } from './loader.js';
import { jsonLogger, type Logger } from './log.js';
import type { MatcherDeps } from './matcher.js';
import { serialEngine } from './serial-engine.js';

/** The loader keeps DuckDB open across a run of loads: checkpoint when it closes the idle file, not inside a commit. */
const LOADER_CHECKPOINT_THRESHOLD = '1GB';

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

export interface Clients {
  objects: GcsObjectStore;
  store: FirestoreStateStore;
  bus: PubSubBus;
  /** The one Firestore client: the state store's, shared by the dbt trigger's batch store. */
  firestore: Firestore;
  close(): Promise<void>;
}

const DEFAULT_LEASE_MS = 600_000;
// Long enough to carry a run of arriving files without a close and re-open (a checkpoint) between each; short
// enough that dbt, which waits for the file, hardly notices.
const DEFAULT_DUCKDB_IDLE_CLOSE_MS = 1000;

function wholeMs(env: Env, name: string, fallback: number, min: number): number {
  const value = env[name] ? Number(env[name]) : fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError([{ file: 'env', line: 0, message: `${name} must be a whole number ≥ ${min}, got "${env[name]}"` }]);
  }
  return value;
}

/** Parses everything once (cold start); every problem is reported here, not at the first message. */
export async function loadPipelineConfig(env: Env): Promise<PipelineConfig> {
  const settings = parseSettings(env);
  const topology = await loadTopology(settings.topologyPath, settings.gcpProject ? { project: settings.gcpProject } : {});
  const mappings = await loadTableMappings(settings.tableConfigPath);
  const leaseMs = wholeMs(env, 'LANDFALL_LEASE_MS', DEFAULT_LEASE_MS, 1000);
  const duckdbIdleCloseMs = wholeMs(env, 'LANDFALL_DUCKDB_IDLE_CLOSE_MS', DEFAULT_DUCKDB_IDLE_CLOSE_MS, 0);
  return { settings, topology, mappings, leaseMs, duckdbIdleCloseMs, env };
}

/** Google clients pointed at the emulators when their env vars are set (`STORAGE_API_ENDPOINT` for storage). */
export function connectClients(env: Env, topology: Topology): Clients {
  const projectId = topology.project;
  const storage = new Storage({ projectId, ...(env.STORAGE_API_ENDPOINT ? { apiEndpoint: env.STORAGE_API_ENDPOINT } : {}) });
  const firestore = new Firestore({ projectId, ignoreUndefinedProperties: true });
  const pubsub = new PubSub({ projectId });
  const bus = new PubSubBus(pubsub);
  return {
    objects: new GcsObjectStore(storage, env.LANDFALL_TEMP_DIR ? { tempDirectory: env.LANDFALL_TEMP_DIR } : {}),
    store: new FirestoreStateStore(firestore, env.LANDFALL_COLLECTION_PREFIX ? { collectionPrefix: env.LANDFALL_COLLECTION_PREFIX } : {}),
    bus,
    firestore,
    close: async () => {
      await bus.close();
      await Promise.all([pubsub.close(), firestore.terminate()]);
    },
  };
}

export function matcherDeps(config: PipelineConfig, clients: Clients, log: Logger = jsonLogger({ component: 'matcher' })): MatcherDeps {
  return { ...clients, mappings: config.mappings, topology: config.topology, log };
}

/**
 * The engine LOADER_BACKEND names. BigQuery holds no connection and loads from gs:// itself (nothing is downloaded),
 * so it is opened once and loads run side by side; DuckDB goes through the one-writer serial engine.
 */
function loadEngine(config: PipelineConfig): LoadEngine {
  const { settings } = config;
  if (settings.backend === 'bigquery') {
    checkBigQuerySettings(settings);
    let opened: Promise<Warehouse> | undefined;
    return async (request) => {
      let warehouse: Warehouse;
      try {
        warehouse = await (opened ??= openBigQueryWarehouseFromSettings(settings, config.env));
      } catch (error) {
        opened = undefined; // BigQuery unreachable: the next load tries again.
        throw error;
      }
      return loadFile(warehouse, request);
    };
  }
  const options = { memoryLimit: settings.duckdbMemoryLimit, lockWaitMs: settings.duckdbLockWaitMs, checkpointThreshold: LOADER_CHECKPOINT_THRESHOLD, ...(settings.duckdbTempDirectory ? { tempDirectory: settings.duckdbTempDirectory } : {}) };
  return serialEngine(() => openDuckDbWarehouse(settings.duckdbPath, options), loadFile, { idleCloseMs: config.duckdbIdleCloseMs });
}

export function loaderDeps(config: PipelineConfig, clients: Clients, log: Logger = jsonLogger({ component: 'loader' })): LoaderDeps {
  return { ...clients, mappings: config.mappings, topology: config.topology, log, load: loadEngine(config), leaseMs: config.leaseMs };
}
