// The composition roots: one per function (each loads only what it uses), and the clients the CLI and the local stack share.
export { DBT_ON_BIGQUERY_EMULATOR, dbtRunner, dbtTriggerDeps, dbtTriggerRoot, loadDbtTriggerConfig } from './dbt-trigger.js';
export type { DbtTriggerConfig } from './dbt-trigger.js';
export { batchStore, connectClients } from './clients.js';
export type { Clients } from './clients.js';
export { loadPipelineConfig, loggerFor, topologyOf, wholeMs } from './config.js';
export type { PipelineConfig } from './config.js';
export { loadEngine, loaderDeps, loaderRoot } from './loader.js';
export { matcherDeps, matcherRoot } from './matcher.js';
export { loadBatchesOf, sweepDeps, sweepRoot } from './sweep.js';
