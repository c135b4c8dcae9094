// What the quota gate's bill says about a burst: jobs and bytes per file, DML per table, the loader's lookups, and the
// files a day each BigQuery quota allows at those per-file figures.
import { BIGQUERY_LIMITS, JOB_KINDS } from '../emulators/quota-gate/index.js';
import type { Bill, JobKind, QueryCharge } from '../emulators/quota-gate/index.js';

const MB = 1_000_000;
const DAY_S = 86_400;

/** The bill of one stretch of a run (after − before). DML peaks cannot be subtracted: see `peakDmlPer10s`. */
export interface BurstBill {
  jobs: Record<JobKind, number>;
  failedJobs: Record<JobKind, number>;
  childJobs: number;
  apiCalls: Record<string, number>;
  /** DML statements per table (short name) in the stretch. */
  dmlStatements: Record<string, number>;
  /** Each table's most statements in any 10 s of the run: the stretch starts 10 s after the warm-up, so it is the burst's. */
  peakDmlPer10s: Record<string, number>;
  quotaErrors: Record<string, number>;
  bytesProcessed: number;
  bytesBilled: number;
  queries: QueryCharge[];
}

const diff = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));

/** `project:dataset.table` → `table`. */
export const shortTable = (key: string): string => key.slice(key.lastIndexOf('.') + 1);

export function billBetween(before: Bill, after: Bill): BurstBill {
  const statements = (bill: Bill) => Object.fromEntries(Object.entries(bill.dml).map(([k, v]) => [shortTable(k), v.statements]));
  const kinds = (get: (k: JobKind) => number) => Object.fromEntries(JOB_KINDS.map((k) => [k, get(k)])) as Record<JobKind, number>;
  return {
    jobs: kinds((k) => after.jobs[k] - before.jobs[k]),
    failedJobs: kinds((k) => after.failedJobs[k] - before.failedJobs[k]),
    childJobs: after.childJobs - before.childJobs,
    apiCalls: diff(after.apiCalls, before.apiCalls),
    dmlStatements: diff(statements(after), statements(before)),
    peakDmlPer10s: Object.fromEntries(Object.entries(after.dml).map(([k, v]) => [shortTable(k), v.peakPer10s])),
    quotaErrors: diff(after.quotaErrors, before.quotaErrors),
    bytesProcessed: after.bytesProcessed - before.bytesProcessed,
    bytesBilled: after.bytesBilled - before.bytesBilled,
    queries: after.queries.slice(before.queries.length),
  };
}

/** The loader's "loaded before?" queries: one SELECT, referencing `load_metadata` (one file's or a whole batch's). */
export function lookupQueries(queries: readonly QueryCharge[], metadataTable: string): QueryCharge[] {
  return queries.filter((q) => q.statements.length === 1 && q.statements[0]!.kind === 'select' && (q.statements[0]!.tables ?? []).includes(metadataTable));
}

export interface PerFile {
  loadJobs: number;
  /** Query jobs, and with each script's child jobs added (BigQuery lists both). */
  queryJobs: number;
  queryJobsWithChildren: number;
  copyJobs: number;
  mbBilled: number;
  /** DML statements of the busiest table, per file of the burst (load_metadata takes every file's). */
  dmlBusiestTable: number;
  apiCalls: Record<string, number>;
}

export function perFile(bill: BurstBill, files: number): PerFile {
  const busiest = Math.max(0, ...Object.values(bill.dmlStatements));
  return {
    loadJobs: bill.jobs.load / files,
    queryJobs: bill.jobs.query / files,
    queryJobsWithChildren: (bill.jobs.query + bill.childJobs) / files,
    copyJobs: bill.jobs.copy / files,
    mbBilled: bill.bytesBilled / MB / files,
    dmlBusiestTable: busiest / files,
    apiCalls: Object.fromEntries(Object.entries(bill.apiCalls).map(([k, v]) => [k, v / files])),
  };
}

export interface Ceiling {
  quota: string;
  filesPerDay: number;
  /** How the figure follows from the per-file measure. */
  basis: string;
}

/**
 * Files a day each quota allows if traffic came as the burst did (its mix of tables, its batching). The query queue
 * is a count in flight, not per day: by Little's law a queue of Q jobs each `querySeconds` long passes Q/querySeconds
 * jobs a second; `querySeconds` is an assumption, not a measure (the emulator's timings are not BigQuery's).
 */
export function ceilings(f: PerFile, querySeconds: number): Ceiling[] {
  const L = BIGQUERY_LIMITS;
  const per = (limitPerDay: number, perFileCount: number) => (perFileCount > 0 ? limitPerDay / perFileCount : Infinity);
  const api = Object.entries(f.apiCalls)
    .map(([method, count]) => {
      const perSecond = method === 'tables.insert' ? L.tablesInsertPerSecondPerUser : method === 'jobs.get' ? L.jobsGetPerSecondPerProject : L.requestsPerSecondPerUserPerMethod;
      return { method, perSecond, filesPerDay: per(perSecond * DAY_S, count) };
    })
    .sort((a, b) => a.filesPerDay - b.filesPerDay)[0];
  return [
    { quota: `load jobs: ${L.loadJobsPerProjectPerDay.toLocaleString('en')}/project/day`, filesPerDay: per(L.loadJobsPerProjectPerDay, f.loadJobs), basis: `${f.loadJobs.toFixed(4)} load jobs/file` },
    {
      quota: `DML: ${L.dmlStatementsPerTablePer10s}/table/10 s`,
      filesPerDay: per(L.dmlStatementsPerTablePer10s * (DAY_S / 10), f.dmlBusiestTable),
      basis: `${f.dmlBusiestTable.toFixed(4)} statements/file on the busiest table, every 10 s filled to the limit`,
    },
    {
      quota: `query queue: ${L.interactiveQueriesQueuedPerProject.toLocaleString('en')} in flight/project`,
      filesPerDay: per((L.interactiveQueriesQueuedPerProject / querySeconds) * DAY_S, f.queryJobs),
      basis: `${f.queryJobs.toFixed(4)} query jobs/file, each assumed to hold its place ${querySeconds} s (--query-seconds)`,
    },
    ...(api ? [{ quota: `API: ${api.method} ${api.perSecond}/s`, filesPerDay: api.filesPerDay, basis: `${(f.apiCalls[api.method] ?? 0).toFixed(4)} calls/file (the tightest method)` }] : []),
  ];
}
