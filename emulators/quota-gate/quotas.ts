// The quota state: what each limit has counted so far, whether a call or a job may pass, and what passing counts.
import type { JobKind } from './bill.js';
import { QUOTA_ERRORS, apiRateError, queryQueueError } from './errors.js';
import type { HttpError, JobError } from './errors.js';
import { DAY_MS, SECOND_MS, TEN_SECONDS_MS } from './limits.js';
import type { QuotaLimitName, QuotaLimits } from './limits.js';
import type { DmlKind } from './sql-statements.js';
import { InFlight, KeyedWindows } from './windows.js';

/** A refusal: an HTTP error on the call itself, or a job created DONE with this error (BigQuery reports each one so). */
export type Refusal = { limit: QuotaLimitName; http: HttpError } | { limit: QuotaLimitName; job: JobError };

/** What a job would do, as far as quotas go. Tables are `project:dataset.table`. */
export interface JobQuotaPlan {
  project: string;
  kind: JobKind;
  priority: 'INTERACTIVE' | 'BATCH';
  /** The table a load, copy or query-with-destination writes (a table operation); DML is not one. */
  writes?: string;
  dml: { table: string; kind: DmlKind }[];
}

export interface Admission {
  refusal?: Refusal;
  /** For each DML statement admitted, in order: how many statements its table's 10 s window holds with it. */
  dmlInWindow: number[];
  /** Call when the job's jobs.insert (or jobs.query) has been answered: it no longer runs or waits. */
  release(): void;
}

/** API methods with a limit of their own, and whose requests they count (per user, or per project for jobs.get). */
const OWN_API_LIMITS: Record<string, { limit: QuotaLimitName; perProject?: true }> = {
  'tables.insert': { limit: 'tablesInsertPerSecondPerUser' },
  'jobs.get': { limit: 'jobsGetPerSecondPerProject', perProject: true },
  'tabledata.list': { limit: 'tabledataListPerSecondPerUser' },
};
/** Streaming inserts are not subject to the API limits (BigQuery docs, "API quotas and limits"). */
const NO_API_LIMIT = new Set(['tabledata.insertAll', 'other']);

const mutating = (kind: DmlKind) => kind !== 'insert';

export class Quotas {
  private readonly api = new KeyedWindows(SECOND_MS);
  private readonly loads = new KeyedWindows(DAY_MS);
  private readonly tableOps = new KeyedWindows(DAY_MS);
  private readonly dmlRate = new KeyedWindows(TEN_SECONDS_MS);
  private readonly insertsToday = new KeyedWindows(DAY_MS);
  private readonly running = new InFlight();

  constructor(
    private readonly limits: QuotaLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one API call and refuses it when its method's rate is reached for this user (or project). */
  apiCall(method: string, user: string, project: string | undefined): Refusal | undefined {
    if (NO_API_LIMIT.has(method)) return undefined;
    const own = OWN_API_LIMITS[method];
    const limit = own?.limit ?? 'requestsPerSecondPerUserPerMethod';
    const key = own?.perProject ? `${method} ${project ?? ''}` : `${method} ${user}`;
    const now = this.now();
    if (this.api.count(key, now) >= this.limits[limit]) return { limit, http: apiRateError() };
    this.api.add(key, now);
    return undefined;
  }

  /** The first limit the job would break, checked in the order BigQuery answers them: on the call, then in the job. */
  private refusal(plan: JobQuotaPlan, now: number): Refusal | undefined {
    if (plan.kind === 'query') {
      const limit = plan.priority === 'BATCH' ? 'batchQueriesQueuedPerProject' : 'interactiveQueriesQueuedPerProject';
      if (this.running.count(`queries ${plan.priority} ${plan.project}`) >= this.limits[limit]) return { limit, http: queryQueueError() };
    }
    if (plan.kind === 'load' && this.loads.count(plan.project, now) >= this.limits.loadJobsPerProjectPerDay) {
      return { limit: 'loadJobsPerProjectPerDay', job: QUOTA_ERRORS.loadJobsPerProject };
    }
    if (plan.writes !== undefined && this.tableOps.count(plan.writes, now) >= this.limits.tableOperationsPerTablePerDay) {
      return { limit: 'tableOperationsPerTablePerDay', job: QUOTA_ERRORS.tableOperations };
    }
    const perTable = new Map<string, number>();
    for (const { table } of plan.dml) perTable.set(table, (perTable.get(table) ?? 0) + 1);
    for (const [table, statements] of perTable) {
      if (this.dmlRate.count(table, now) + statements > this.limits.dmlStatementsPerTablePer10s) {
        return { limit: 'dmlStatementsPerTablePer10s', job: QUOTA_ERRORS.dmlRate };
      }
    }
    return this.outstanding(plan, now);
  }

  /** Running + queued DML per table: mutating DML always, INSERTs once the day's immediate ones are used up. */
  private outstanding(plan: JobQuotaPlan, now: number): Refusal | undefined {
    for (const table of new Set(plan.dml.filter((d) => mutating(d.kind)).map((d) => d.table))) {
      if (this.running.count(`mutating ${table}`) >= this.limits.mutatingDmlRunningPerTable + this.limits.mutatingDmlQueuedPerTable) {
        return { limit: 'mutatingDmlQueuedPerTable', job: QUOTA_ERRORS.dmlOutstanding };
      }
    }
    for (const table of new Set(plan.dml.filter((d) => !mutating(d.kind)).map((d) => d.table))) {
      const queued = this.insertsToday.count(table, now) >= this.limits.insertsImmediatePerTablePerDay;
      if (queued && this.running.count(`inserts ${table}`) >= this.limits.insertsRunningPerTable + this.limits.insertsQueuedPerTable) {
        return { limit: 'insertsQueuedPerTable', job: QUOTA_ERRORS.dmlOutstanding };
      }
    }
    return undefined;
  }

  /**
   * Checks a job about to be created and, when it passes, counts it: a load against the day, its table operation,
   * each DML statement against its table's 10 s window, and the job as running until `release`.
   */
  admit(plan: JobQuotaPlan): Admission {
    const now = this.now();
    const refusal = this.refusal(plan, now);
    if (refusal) {
      // A load that another limit failed is still a job created and failed, which the day's count includes.
      if (plan.kind === 'load' && 'job' in refusal && refusal.limit !== 'loadJobsPerProjectPerDay') this.loads.add(plan.project, now);
      return { refusal, dmlInWindow: [], release: () => undefined };
    }
    if (plan.kind === 'load') this.loads.add(plan.project, now);
    if (plan.writes !== undefined) this.tableOps.add(plan.writes, now);
    const dmlInWindow = plan.dml.map(({ table, kind }) => {
      if (kind === 'insert') this.insertsToday.add(table, now);
      return this.dmlRate.add(table, now);
    });
    const leave = [
      ...(plan.kind === 'query' ? [this.running.enter(`queries ${plan.priority} ${plan.project}`)] : []),
      ...[...new Set(plan.dml.filter((d) => mutating(d.kind)).map((d) => d.table))].map((t) => this.running.enter(`mutating ${t}`)),
      ...[...new Set(plan.dml.filter((d) => !mutating(d.kind)).map((d) => d.table))].map((t) => this.running.enter(`inserts ${t}`)),
    ];
    return { dmlInWindow, release: () => leave.forEach((l) => l()) };
  }
}
