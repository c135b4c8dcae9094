// What went through the gate, as BigQuery would count and charge it: jobs, child jobs, DML, API calls, quota errors, bytes.
import type { QuotaLimitName } from './limits.js';
import { DML_KINDS } from './sql-statements.js';
import type { DmlKind } from './sql-statements.js';

export const JOB_KINDS = ['load', 'query', 'copy', 'extract'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface TableDml {
  statements: number;
  byKind: Record<DmlKind, number>;
  /** Most statements against the table within any 10 s (the quota's window). */
  peakPer10s: number;
}

/** One statement's charge by BigQuery's on-demand rules (docs/bigquery-emulator-gaps.md, "The quota gate's bill"). */
export interface StatementCharge {
  kind: string;
  /** The tables it references (`project:dataset.table`), read or written: what a bench picks a query out by. */
  tables?: string[];
  bytesProcessed: number;
  bytesBilled: number;
}

export interface QueryCharge {
  jobId: string;
  failed: boolean;
  /** Child jobs: one per statement of a script, 0 for a single statement. */
  childJobs: number;
  bytesProcessed: number;
  bytesBilled: number;
  statements: StatementCharge[];
}

export interface Bill {
  /** When counting started (the gate's start or its last reset). */
  since: string;
  /** Jobs created, by kind: failed ones included, refused calls (no job) not. */
  jobs: Record<JobKind, number>;
  failedJobs: Record<JobKind, number>;
  childJobs: number;
  /** Keyed `project:dataset.table`. */
  dml: Record<string, TableDml>;
  apiCalls: Record<string, number>;
  /** Quota and rate-limit errors answered, by reason, and by the limit that gave them. */
  quotaErrors: Record<string, number>;
  quotaErrorsByLimit: Partial<Record<QuotaLimitName, number>>;
  /** jobs.insert calls refused because the job id was taken (409 duplicate). */
  duplicateJobIds: number;
  /** Every query job (jobs.insert and jobs.query), dry runs left out. */
  queries: QueryCharge[];
  bytesProcessed: number;
  bytesBilled: number;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

function emptyBill(): Bill {
  return {
    since: new Date().toISOString(),
    jobs: zeros(JOB_KINDS),
    failedJobs: zeros(JOB_KINDS),
    childJobs: 0,
    dml: {},
    apiCalls: {},
    quotaErrors: {},
    quotaErrorsByLimit: {},
    duplicateJobIds: 0,
    queries: [],
    bytesProcessed: 0,
    bytesBilled: 0,
  };
}

export class Ledger {
  private bill = emptyBill();

  apiCall(method: string): void {
    this.bill.apiCalls[method] = (this.bill.apiCalls[method] ?? 0) + 1;
  }

  job(kind: JobKind, failed: boolean): void {
    this.bill.jobs[kind]++;
    if (failed) this.bill.failedJobs[kind]++;
  }

  /** One DML statement against `table`, `inWindow` being the statements the table's 10 s window holds with it. */
  dml(table: string, kind: DmlKind, inWindow: number): void {
    const entry = (this.bill.dml[table] ??= { statements: 0, byKind: zeros(DML_KINDS), peakPer10s: 0 });
    entry.statements++;
    entry.byKind[kind]++;
    entry.peakPer10s = Math.max(entry.peakPer10s, inWindow);
  }

  quotaError(limit: QuotaLimitName, reason: string): void {
    this.bill.quotaErrors[reason] = (this.bill.quotaErrors[reason] ?? 0) + 1;
    this.bill.quotaErrorsByLimit[limit] = (this.bill.quotaErrorsByLimit[limit] ?? 0) + 1;
  }

  duplicate(): void {
    this.bill.duplicateJobIds++;
  }

  query(charge: QueryCharge): void {
    this.bill.queries.push(charge);
    this.bill.childJobs += charge.childJobs;
    this.bill.bytesProcessed += charge.bytesProcessed;
    this.bill.bytesBilled += charge.bytesBilled;
  }

  snapshot(): Bill {
    return structuredClone(this.bill);
  }

  reset(): void {
    this.bill = emptyBill();
  }
}
