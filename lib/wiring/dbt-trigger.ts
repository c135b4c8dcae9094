// The dbt trigger's composition root: batches over the mapped table names, the Firestore batch store, the runner. No warehouse.
import { parseSettings, loadTableNames, type Env, type Settings, type Topology } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { CloudRunDbtRunner, LocalDbtRunner } from '../adapters/dbt/index.js';
import { loadBatchDefinitions, type BatchDefinition, type DbtRunner, type DbtTriggerDeps } from '../transform/index.js';
import { batchStore, connectClients, type Clients } from './clients.js';
import { loggerFor, topologyOf, wholeMs } from './config.js';

export interface DbtTriggerConfig {
  settings: Settings;
  topology: Topology;
  batches: BatchDefinition[];
  leaseMs: number;
  maxWaitMs: number;
}

/** A claimed run outlives the function's timeout by this much before another handler may take it over. */
const LEASE_MARGIN_MS = 60_000;

/**
 * Parses the batch definitions (every problem at once, with file and line) against the table names the mappings
 * write. A mapping problem that hides no table name (a bad go_file, say) is the loader's: it does not stop dbt.
 */
export async function loadDbtTriggerConfig(env: Env): Promise<DbtTriggerConfig> {
  const settings = parseSettings(env);
  const [topology, tables] = await Promise.all([topologyOf(settings), loadTableNames(settings.tableConfigPath)]);
  const batches = await loadBatchDefinitions(settings.batchConfigPath, tables);
  const timeoutMs = topology.functions.dbtTrigger.timeoutSeconds * 1000;
  return {
    settings,
    topology,
    batches,
    leaseMs: wholeMs(env, 'DBT_TRIGGER_LEASE_MS', timeoutMs + LEASE_MARGIN_MS),
    // Half the timeout leaves the other half for the dbt run that may follow the wait.
    maxWaitMs: wholeMs(env, 'DBT_TRIGGER_MAX_WAIT_MS', Math.floor(timeoutMs / 2)),
  };
}

/** Why the local stack's BigQuery mode builds no dbt models: one line, for the console and for a refused cold start. */
export const DBT_ON_BIGQUERY_EMULATOR =
  'dbt does not run on the BigQuery emulator: dbt-duckdb reads only DuckDB files and dbt-bigquery cannot be pointed at an emulator. ' +
  'In production the dbt trigger starts the Cloud Run job DBT_JOB_NAME (dbt-bigquery) when a batch is complete; to build the models locally, run the stack on DuckDB (npm start).';

/** Local: dbt from the project venv on the loader's DuckDB file. Production: the Cloud Run job DBT_JOB_NAME. */
export async function dbtRunner(config: DbtTriggerConfig, env: Env): Promise<DbtRunner> {
  const { settings, topology } = config;
  if (settings.backend === 'duckdb') return new LocalDbtRunner({ duckdbPath: settings.duckdbPath, ...(env.DBT_BIN ? { dbtBin: env.DBT_BIN } : {}) });
  // Against the emulator, the Cloud Run job would be looked for in a real project with no credentials: say why not, at once.
  if (env.BIGQUERY_EMULATOR_HOST) throw new ConfigError([{ file: 'env', line: 0, message: DBT_ON_BIGQUERY_EMULATOR }]);
  const [{ jobsClient }, { Storage }] = await Promise.all([import('../adapters/dbt/cloud-run-jobs.js'), import('@google-cloud/storage')]);
  const storage = new Storage({ projectId: topology.project });
  return new CloudRunDbtRunner(jobsClient(), {
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

export async function dbtTriggerDeps(config: DbtTriggerConfig, env: Env, clients: Clients = connectClients(env, config.topology)): Promise<DbtTriggerDeps> {
  return {
    batches: config.batches,
    store: batchStore(env, clients.firestore),
    runner: await dbtRunner(config, env),
    bus: clients.bus,
    topology: config.topology,
    log: loggerFor('dbtTrigger', env),
    leaseMs: config.leaseMs,
    maxWaitMs: config.maxWaitMs,
  };
}

export async function dbtTriggerRoot(env: Env): Promise<DbtTriggerDeps> {
  return dbtTriggerDeps(await loadDbtTriggerConfig(env), env);
}
