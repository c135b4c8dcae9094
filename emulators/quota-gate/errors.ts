// BigQuery's own error answers: the HTTP error body a refused call gets, and the ErrorProto a failed job carries.

/** `status.errorResult` / `status.errors[]` of a job: no `domain` and no `code` (the API's ErrorProto). */
export interface JobError {
  reason: string;
  message: string;
  location?: string;
}

/** One HTTP error answer: the status and the body `{error:{code,message,errors:[…],status}}`. */
export interface HttpError {
  httpStatus: number;
  body: { error: { code: number; message: string; errors: { message: string; domain: string; reason: string; location?: string }[]; status: string } };
}

const MORE = 'For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas';

/** google.rpc codes BigQuery puts in `error.status` (PERMISSION_DENIED seen on a 403; the others by the API convention). */
const RPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function httpError(httpStatus: number, reason: string, message: string, options: { domain?: string; location?: string } = {}): HttpError {
  const detail = { message, domain: options.domain ?? 'global', reason, ...(options.location ? { location: options.location } : {}) };
  return { httpStatus, body: { error: { code: httpStatus, message, errors: [detail], status: RPC_STATUS[httpStatus] ?? 'UNKNOWN' } } };
}

/** What each limit answers, and where BigQuery reports it: on the call (`http`) or in the job it created (`job`). */
export const QUOTA_ERRORS = {
  loadJobsPerProject: {
    reason: 'quotaExceeded',
    location: 'load_job',
    message: `Quota exceeded: Your project exceeded quota for imports per project. ${MORE}`,
  },
  tableOperations: {
    reason: 'quotaExceeded',
    location: 'load_job_per_table.long',
    message: `Quota exceeded: Your table exceeded quota for imports or query appends per table. ${MORE}`,
  },
  dmlRate: {
    reason: 'rateLimitExceeded',
    location: 'table.write',
    message: `Exceeded rate limits: Your table exceeded quota for table dml insert operations. ${MORE}`,
  },
  dmlOutstanding: {
    reason: 'quotaExceeded',
    location: 'max_dml_outstanding_per_table',
    message: `Quota exceeded: Your table exceeded quota for total number of dml jobs writing to a table, pending + running. ${MORE}`,
  },
} as const satisfies Record<string, JobError>;

export type JobQuota = keyof typeof QUOTA_ERRORS;

/**
 * A job that failed as it was created, answered where the job is not returned (jobs.query, getQueryResults): a
 * rate limit becomes 400 `jobRateLimitExceeded` with "Job exceeded rate limits" (the one string seen live for the DML
 * rate); a quota keeps its reason and 403 (BigQuery's reason → status table).
 */
export function jobErrorAsHttp(error: JobError): HttpError {
  if (error.reason === 'rateLimitExceeded') {
    return httpError(400, 'jobRateLimitExceeded', error.message.replace(/^Exceeded rate limits:/, 'Job exceeded rate limits:'));
  }
  if (error.reason === 'quotaExceeded') return httpError(403, 'quotaExceeded', error.message, error.location ? { location: error.location } : {});
  return httpError(400, error.reason === 'invalid' ? 'invalid' : 'invalidQuery', error.message, error.location ? { location: error.location } : {});
}

/** The form seen live without a method name: BigQuery's variant names its internal one (`JobService.insertJob`). */
export function apiRateError(): HttpError {
  return httpError(403, 'rateLimitExceeded', `Exceeded rate limits: too many api requests per user per method for this user_method. ${MORE}`);
}

/** Seen live with domain `usageLimits`, at submit time (jobs.insert or jobs.query). */
export function queryQueueError(): HttpError {
  return httpError(403, 'quotaExceeded', 'Quota exceeded: Your project_and_region exceeded quota for max number of jobs that can be queued per project.', {
    domain: 'usageLimits',
  });
}

export function duplicateJobError(project: string, location: string, jobId: string): HttpError {
  return httpError(409, 'duplicate', `Already Exists: Job ${project}:${location}.${jobId}`);
}

export function notFoundError(what: string): HttpError {
  return httpError(404, 'notFound', `Not found: ${what}`);
}
