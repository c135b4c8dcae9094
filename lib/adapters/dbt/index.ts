// dbt adapters: the local and Cloud Run runners, and the Firestore store of batch states and runs.
export { LocalDbtRunner, errorLines } from './local-runner.js';
export type { LocalDbtRunnerOptions } from './local-runner.js';
export { CloudRunDbtRunner, runJobRequest } from './cloud-run-runner.js';
export type { CloudRunDbtRunnerOptions, JobsClientLike } from './cloud-run-runner.js';
export { parseRunResults } from './run-results.js';
export type { RunResultsSummary } from './run-results.js';
export { BATCH_COLLECTIONS, FirestoreBatchStore, batchDocId, runDocId } from './firestore-batch-store.js';
export type { FirestoreBatchStoreOptions } from './firestore-batch-store.js';
