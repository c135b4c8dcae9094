// Which BigQuery failures are transient (retry later) and which are terminal (the input is wrong): decided here only.
import { LandfallError, TerminalError, TransientError } from '../../errors.js';
import type { ErrorContext } from '../../errors.js';

/** `errorResult.reason` values that another attempt may get past (BigQuery docs, "Troubleshoot errors"). */
const TRANSIENT_REASONS = ['backendError', 'internalError', 'rateLimitExceeded', 'quotaExceeded', 'timeout', 'tableUnavailable', 'jobBackendError', 'accessDenied'] as const;
const TRANSIENT_CODES = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE'] as const;

/** The CSV reader refused the data: BigQuery's and the emulator's words for it. */
const CSV_FAILURE = /Error while reading data|failed to read csv|invalid column number|wrong number of fields|quoted-field|Too many values|Too few columns|Missing close double quote|CSV table (references|encountered)/i;

export interface BigQueryFailure {
  message: string;
  reason?: string;
  httpStatus?: number;
  code?: string;
}

/** Reads what failed from a client error or a job's `status.errorResult`. */
export function failureOf(error: unknown): BigQueryFailure {
  const e = error as { message?: string; code?: number | string; errors?: { reason?: string; message?: string }[]; reason?: string };
  const reason = e.reason ?? e.errors?.[0]?.reason;
  return {
    message: e.message ?? e.errors?.[0]?.message ?? String(error),
    ...(reason ? { reason } : {}),
    ...(typeof e.code === 'number' ? { httpStatus: e.code } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  };
}

/**
 * The job id is taken: BigQuery says 409; the emulator says 400 "job … is already created". Either way the job
 * exists — made by another process, or by this one when the client retried an insert whose answer it lost (the
 * emulator runs a query inside `jobs.insert`, so a long commit outlasts the request).
 */
export function isDuplicateJob(failure: BigQueryFailure): boolean {
  return failure.httpStatus === 409 || /\bjob \S+ is already created\b/.test(failure.message);
}

export function isCsvFailure(failure: BigQueryFailure): boolean {
  return CSV_FAILURE.test(failure.message);
}

/**
 * Throttling, server errors and lost connections are transient; so is `accessDenied`: a missing grant is fixed by
 * a person, after which the retried (or dead-lettered and replayed) message succeeds — the file is not at fault.
 */
export function isTransient(failure: BigQueryFailure): boolean {
  if (isCsvFailure(failure)) return false;
  if (failure.reason && (TRANSIENT_REASONS as readonly string[]).includes(failure.reason)) return true;
  if (failure.code && (TRANSIENT_CODES as readonly string[]).includes(failure.code)) return true;
  const status = failure.httpStatus;
  // 404: a missing dataset is a deployment problem, not the file's; 403: a missing grant, likewise.
  return status === undefined ? !failure.reason : status === 429 || status >= 500 || status === 403 || status === 404;
}

export function classifyBigQueryError(error: unknown, context: ErrorContext): LandfallError {
  if (error instanceof LandfallError) return error;
  const failure = failureOf(error);
  const message = `BigQuery: ${failure.message.split('\n')[0]}`;
  return isTransient(failure) ? new TransientError(message, context, error) : new TerminalError(message, context, error);
}
