// The jobs the gate has seen: which ids are taken, and what the emulator would answer wrong about them afterwards.
import type { HttpError, JobError } from './errors.js';

export interface JobStatus {
  state: 'DONE';
  errorResult?: JobError;
  errors?: JobError[];
}

/** What the gate remembers of one job. */
export interface JobRecord {
  location: string;
  /** The whole resource, for a job the emulator does not know (refused by a quota, or run as a split load). */
  resource?: Record<string, unknown>;
  /** A failure the emulator's jobs.get drops: added back to its answer. */
  failure?: JobStatus;
  /** What getQueryResults answers for a query job the gate failed (the emulator never saw it). */
  queryError?: HttpError;
}

/**
 * Job ids per project, as the emulator scopes them (BigQuery scopes them per project and location; the 409 names
 * both). An id is claimed while its jobs.insert is under way, so two concurrent inserts of one id cannot both pass.
 */
export class JobRegistry {
  private readonly records = new Map<string, JobRecord>();
  private readonly claimed = new Set<string>();

  private key(project: string, jobId: string): string {
    return `${project}\u0000${jobId}`;
  }

  /** False when the id is taken (a job exists, or an insert of it is under way). */
  claim(project: string, jobId: string): boolean {
    const key = this.key(project, jobId);
    if (this.records.has(key) || this.claimed.has(key)) return false;
    this.claimed.add(key);
    return true;
  }

  /** Ends a claim: with a record when a job now exists, without one when none was created (the id is free again). */
  settle(project: string, jobId: string, record: JobRecord | undefined): void {
    const key = this.key(project, jobId);
    this.claimed.delete(key);
    if (record) this.records.set(key, record);
  }

  get(project: string, jobId: string): JobRecord | undefined {
    return this.records.get(this.key(project, jobId));
  }
}

/** BigQuery writes job times as milliseconds since the epoch, in strings. */
const millis = (ms: number) => String(ms);

/** A job resource as jobs.insert and jobs.get return it, for a job the gate answers itself; always DONE. */
export function jobResource(input: {
  gateUrl: string;
  project: string;
  jobId: string;
  location: string;
  configuration: Record<string, unknown>;
  jobType: string;
  startedMs: number;
  status: JobStatus;
  statistics?: Record<string, unknown>;
}): Record<string, unknown> {
  const { project, jobId, location } = input;
  return {
    kind: 'bigquery#job',
    id: `${project}:${location}.${jobId}`,
    selfLink: `${input.gateUrl}/bigquery/v2/projects/${encodeURIComponent(project)}/jobs/${encodeURIComponent(jobId)}?location=${encodeURIComponent(location)}`,
    jobReference: { projectId: project, jobId, location },
    configuration: { ...input.configuration, jobType: input.jobType },
    statistics: { creationTime: millis(input.startedMs), startTime: millis(input.startedMs), endTime: millis(Date.now()), ...input.statistics },
    status: input.status,
  };
}

export function failedStatus(error: JobError): JobStatus {
  return { state: 'DONE', errorResult: error, errors: [error] };
}
