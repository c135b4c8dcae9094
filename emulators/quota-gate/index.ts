// The BigQuery quota gate: a proxy in front of the BigQuery emulator that enforces BigQuery's limits and keeps a bill.
export { startQuotaGate } from './server.js';
export type { QuotaGate, QuotaGateOptions } from './server.js';
export type { ForwardedCall } from './context.js';
export { BIGQUERY_LIMITS, QUOTA_LIMIT_NAMES, resolveLimits } from './limits.js';
export type { QuotaLimitName, QuotaLimits } from './limits.js';
export { JOB_KINDS } from './bill.js';
export type { Bill, JobKind, QueryCharge, StatementCharge, TableDml } from './bill.js';
export { MIN_BILLED_BYTES, billedBytes } from './bytes.js';
