// After loading: batch definitions, the dbt trigger's decisions, the DbtRunner port and the generated dbt sources.
export * from './runner.js';
export * from './batch-state.js';
export * from './overdue.js';
export * from './dbt-sources.js';
export * from './batches.js';
export * from './trigger-store.js';
export * from './dbt-trigger.js';
export * from './dbt-status.js';
