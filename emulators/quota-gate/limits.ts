// BigQuery's documented quotas as numbers the gate enforces, and how a test shrinks them (scale, or one limit at a time).

/**
 * Each limit, as documented on https://cloud.google.com/bigquery/quotas (read 2026), by the name of its quotas page
 * section (docs/bigquery-emulator-gaps.md, gaps 20–24, says what the gate fills). Windows are in the names; only the
 * counts are scaled.
 */
export interface QuotaLimits {
  /** Load jobs per project per rolling day, failed ones included ("Load jobs"). */
  loadJobsPerProjectPerDay: number;
  /** Load, copy and query-destination jobs that write a table, per table per rolling day ("Standard tables"). */
  tableOperationsPerTablePerDay: number;
  /** DML statements per table per rolling 10 s, INSERT included ("Data manipulation language"). */
  dmlStatementsPerTablePer10s: number;
  /** INSERT statements per table per day that run at once, before the concurrency limits apply to INSERTs. */
  insertsImmediatePerTablePerDay: number;
  insertsRunningPerTable: number;
  insertsQueuedPerTable: number;
  /** UPDATE, DELETE, MERGE (and TRUNCATE) running at once per table; more wait in a queue of the next size. */
  mutatingDmlRunningPerTable: number;
  mutatingDmlQueuedPerTable: number;
  /** Interactive query jobs queued (here: in flight through the gate) per project ("Query jobs"). */
  interactiveQueriesQueuedPerProject: number;
  batchQueriesQueuedPerProject: number;
  /** API requests per user per method per second ("API quotas and limits"); tables.insert and jobs.get have their own. */
  requestsPerSecondPerUserPerMethod: number;
  tablesInsertPerSecondPerUser: number;
  jobsGetPerSecondPerProject: number;
  tabledataListPerSecondPerUser: number;
}

export const QUOTA_LIMIT_NAMES = [
  'loadJobsPerProjectPerDay',
  'tableOperationsPerTablePerDay',
  'dmlStatementsPerTablePer10s',
  'insertsImmediatePerTablePerDay',
  'insertsRunningPerTable',
  'insertsQueuedPerTable',
  'mutatingDmlRunningPerTable',
  'mutatingDmlQueuedPerTable',
  'interactiveQueriesQueuedPerProject',
  'batchQueriesQueuedPerProject',
  'requestsPerSecondPerUserPerMethod',
  'tablesInsertPerSecondPerUser',
  'jobsGetPerSecondPerProject',
  'tabledataListPerSecondPerUser',
] as const satisfies readonly (keyof QuotaLimits)[];

export type QuotaLimitName = (typeof QUOTA_LIMIT_NAMES)[number];

export const BIGQUERY_LIMITS: Readonly<QuotaLimits> = {
  loadJobsPerProjectPerDay: 100_000,
  tableOperationsPerTablePerDay: 1_500,
  dmlStatementsPerTablePer10s: 25,
  insertsImmediatePerTablePerDay: 1_500,
  insertsRunningPerTable: 10,
  insertsQueuedPerTable: 100,
  mutatingDmlRunningPerTable: 2,
  mutatingDmlQueuedPerTable: 20,
  interactiveQueriesQueuedPerProject: 1_000,
  batchQueriesQueuedPerProject: 20_000,
  requestsPerSecondPerUserPerMethod: 100,
  tablesInsertPerSecondPerUser: 10,
  jobsGetPerSecondPerProject: 1_000,
  tabledataListPerSecondPerUser: 1_000,
};

export const SECOND_MS = 1_000;
export const TEN_SECONDS_MS = 10_000;
export const DAY_MS = 24 * 60 * 60 * 1_000;

/**
 * BigQuery's limits divided by `scale` (never below 1, so every limit can still be reached), then the overrides as
 * given: `scale: 1000` turns 100,000 loads a day into 100, and `{ dmlStatementsPerTablePer10s: 3 }` sets one limit.
 */
export function resolveLimits(scale = 1, overrides: Partial<QuotaLimits> = {}): QuotaLimits {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`quota gate: scale must be a positive number, not ${scale}`);
  const scaled = Object.fromEntries(QUOTA_LIMIT_NAMES.map((name) => [name, Math.max(1, Math.floor(BIGQUERY_LIMITS[name] / scale))]));
  for (const [name, value] of Object.entries(overrides)) {
    if (!(QUOTA_LIMIT_NAMES as readonly string[]).includes(name)) throw new RangeError(`quota gate: no limit named ${name}`);
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`quota gate: ${name} must be a whole number ≥ 0, not ${value}`);
    scaled[name] = value;
  }
  return scaled as unknown as QuotaLimits;
}
