// The DbtRunner port: run one dbt selection for one batch key and say what it built; adapters run it locally or on Cloud Run.

export const DBT_RUN_STATUSES = ['success', 'error'] as const;
/** How a finished dbt run ended; a run that could not start at all throws instead (TransientError). */
export type DbtRunStatus = (typeof DBT_RUN_STATUSES)[number];

export interface DbtRunRequest {
  /** The batch definition's name, e.g. `daily`. */
  batch: string;
  /**
   * The batch key every member table was loaded for, e.g. `20240115`; passed to dbt as `var('batch_key')`. For a
   * batch that runs per folder it starts with the folder (`client_a/20240115`): dbt gets `var('folder')` apart.
   */
  batchKey: string;
  /** The dbt node selection, as `dbt build --select` takes it. */
  select: string;
}

export interface DbtRunResult {
  status: DbtRunStatus;
  /** ISO-8601 times. */
  startedAt: string;
  finishedAt: string;
  /** Unique ids of the nodes that succeeded (`model.landfall_example.stg_trades`), as run_results.json names them. */
  modelsBuilt: string[];
  /** Unique ids of the nodes that errored or whose tests failed. */
  modelsFailed: string[];
  /** The end of dbt's output, bounded (see `LOG_EXCERPT_MAX_CHARS`), for status and run records. */
  logExcerpt: string;
  /** Why the run failed, in dbt's words; absent on success. */
  message?: string;
}

export interface DbtRunner {
  /**
   * Runs `dbt build` for the request and resolves when it has finished, whatever dbt's verdict.
   * Rejects with a TransientError when dbt could not be started or reached (retrying may help).
   */
  run(request: DbtRunRequest): Promise<DbtRunResult>;
}

/** Bound on a run's log excerpt: enough for dbt's summary and first errors, small enough for one Firestore document. */
export const LOG_EXCERPT_MAX_CHARS = 8000;

/** The head and tail of a long log, so both the start (what ran) and the end (dbt's summary) survive. */
export function logExcerpt(log: string, maxChars: number = LOG_EXCERPT_MAX_CHARS): string {
  if (log.length <= maxChars) return log;
  const marker = '\n… (output shortened) …\n';
  const head = Math.floor((maxChars - marker.length) / 4);
  const tail = maxChars - marker.length - head;
  return log.slice(0, head) + marker + log.slice(log.length - tail);
}

/** A run's key split into the folder (`client_a/`, or null for a batch across folders) and the `*` part. */
export function splitBatchKey(batchKey: string): { folder: string | null; key: string } {
  const cut = batchKey.lastIndexOf('/') + 1;
  return { folder: cut === 0 ? null : batchKey.slice(0, cut), key: batchKey.slice(cut) };
}

/** The `--vars` argument dbt gets: JSON is valid YAML, and quoting keeps keys like `20240115` strings. */
export function dbtVars(request: DbtRunRequest): string {
  const { folder, key } = splitBatchKey(request.batchKey);
  return JSON.stringify({ batch_key: key, batch: request.batch, ...(folder === null ? {} : { folder }) });
}

/** The argument list of `dbt build` for a request, shared by the local process and the Cloud Run job. */
export function dbtBuildArgs(request: DbtRunRequest, target: string): string[] {
  return ['build', '--select', request.select, '--vars', dbtVars(request), '--target', target];
}
