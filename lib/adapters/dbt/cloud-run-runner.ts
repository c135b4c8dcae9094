// The production DbtRunner: executes the dbt Cloud Run job (dbt/Dockerfile) with this run's arguments and waits for it.
import { randomUUID } from 'node:crypto';
import type { protos } from '@google-cloud/run';
import { TransientError } from '../../errors.js';
import { dbtBuildArgs, logExcerpt, splitBatchKey } from '../../transform/index.js';
import type { DbtRunner, DbtRunRequest, DbtRunResult } from '../../transform/index.js';
import { parseRunResults } from './run-results.js';

type RunJobRequest = protos.google.cloud.run.v2.IRunJobRequest;
type Execution = protos.google.cloud.run.v2.IExecution;

/** The part of `JobsClient` this runner uses: `runJob` returns a long-running operation whose result is the execution. */
export interface JobsClientLike {
  runJob(request: RunJobRequest): Promise<[{ name?: string | null; promise(): Promise<[Execution, ...unknown[]]> }, ...unknown[]]>;
}

export interface CloudRunDbtRunnerOptions {
  project: string;
  region: string;
  /** The Cloud Run job's name (terraform creates it from dbt/Dockerfile's image). */
  job: string;
  /** Where the job writes run_results.json (`gs://bucket/prefix`); without it, runs report no model names. */
  resultsPrefix?: string;
  /** Reads a `gs://` object's text, or undefined when it does not exist. */
  readText?: (uri: string) => Promise<string | undefined>;
}

/** gRPC codes worth another try: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL. */
const RETRY_CODES = [14, 4, 8, 10, 13] as const;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' && (RETRY_CODES as readonly number[]).includes(code);
}

/** The full request for one run, built apart from the call so it can be checked exactly. Pure. */
export function runJobRequest(options: CloudRunDbtRunnerOptions, request: DbtRunRequest, resultsUri?: string): RunJobRequest {
  const { folder, key } = splitBatchKey(request.batchKey);
  const env = [
    { name: 'LANDFALL_BATCH', value: request.batch },
    { name: 'LANDFALL_BATCH_KEY', value: key },
    ...(folder === null ? [] : [{ name: 'LANDFALL_FOLDER', value: folder }]),
    ...(resultsUri ? [{ name: 'DBT_RESULTS_URI', value: resultsUri }] : []),
  ];
  return {
    name: `projects/${options.project}/locations/${options.region}/jobs/${options.job}`,
    overrides: { containerOverrides: [{ args: dbtBuildArgs(request, 'prod'), env }], taskCount: 1 },
  };
}

export class CloudRunDbtRunner implements DbtRunner {
  constructor(
    private readonly client: JobsClientLike,
    private readonly options: CloudRunDbtRunnerOptions,
  ) {}

  async run(request: DbtRunRequest): Promise<DbtRunResult> {
    const startedAt = new Date().toISOString();
    const resultsUri = this.options.resultsPrefix
      ? `${this.options.resultsPrefix.replace(/\/$/, '')}/${request.batch}/${request.batchKey}/${randomUUID()}.json`
      : undefined;
    let operation;
    try {
      [operation] = await this.client.runJob(runJobRequest(this.options, request, resultsUri));
    } catch (error) {
      // Nothing started: the same request can be made again.
      if (isRetryable(error)) throw new TransientError(`Cloud Run job ${this.options.job} could not be started: ${String(error)}`, {}, error);
      throw error;
    }
    let execution: Execution | undefined;
    let failure: string | undefined;
    try {
      [execution] = await operation.promise();
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    return this.result(startedAt, execution, failure, resultsUri);
  }

  private async result(startedAt: string, execution: Execution | undefined, failure: string | undefined, resultsUri?: string): Promise<DbtRunResult> {
    const summary = resultsUri && this.options.readText ? await this.options.readText(resultsUri).then((t) => (t ? parseRunResults(t) : undefined)) : undefined;
    const succeeded = failure === undefined && (execution?.succeededCount ?? 0) > 0 && (execution?.failedCount ?? 0) === 0;
    const log = [
      execution?.name ? `execution ${execution.name}` : undefined,
      execution?.logUri ? `logs: ${execution.logUri}` : undefined,
      ...(summary?.errors ?? []),
    ].filter(Boolean).join('\n');
    const base = {
      startedAt,
      finishedAt: new Date().toISOString(),
      modelsBuilt: summary?.built ?? [],
      modelsFailed: summary?.failed ?? [],
      logExcerpt: logExcerpt(log),
    };
    if (succeeded) return { status: 'success', ...base };
    const conditions = (execution?.conditions ?? []).filter((c) => c.message).map((c) => `${c.type}: ${c.message}`);
    const message = [failure, ...(summary?.errors ?? []), ...conditions].filter(Boolean).join('\n') || 'the dbt job failed';
    return { status: 'error', ...base, message };
  }
}
