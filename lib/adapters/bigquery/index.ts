// The BigQuery warehouse adapter: load jobs from gs:// into staging tables, then one transaction per commit (one file, or a batch).
export { openBigQueryWarehouse } from './warehouse.js';
export { bigqueryPromoteFromSettings, checkBigQuerySettings, openBigQueryWarehouseFromSettings } from './from-settings.js';
export { bigqueryPromote, bigqueryType, jsonPath } from './promote.js';
export type { BigQueryPromoteOptions } from './promote.js';
export type { BigQueryWarehouse, BigQueryWarehouseOptions } from './warehouse.js';
export { METADATA_COLUMNS, METADATA_TABLE } from './metadata-schema.js';
export { BIGQUERY_CSV, EMULATOR_CSV } from './staging.js';
export type { CsvReader } from './staging.js';
export { bigqueryClient, staticTokenAuth, storageClient } from './client.js';
export type { ClientOptions } from './client.js';
export { checkNewColumns, columnNameProblem, ident, literal, tableIdProblem } from './names.js';
export { classifyBigQueryError } from './errors.js';
export { runJob, throwIfFailed } from './jobs.js';
export type { FinishedJob } from './jobs.js';
