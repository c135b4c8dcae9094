// The local DbtRunner: spawns `dbt build` from the project venv against the same DuckDB file the loader writes.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from '../../errors.js';
import { dbtBuildArgs, logExcerpt } from '../../transform/runner.js';
import type { DbtRunner, DbtRunRequest, DbtRunResult } from '../../transform/runner.js';
import { parseRunResults } from './run-results.js';
import type { RunResultsSummary } from './run-results.js';

export interface LocalDbtRunnerOptions {
  /** The DuckDB database file, shared with the loader; dbt reads it as `env_var('DUCKDB_PATH')`. */
  duckdbPath: string;
  /** Repository root; the defaults below are relative to it. Default: the working directory. */
  root?: string;
  /** Default `<root>/.cache/venv/bin/dbt`, installed by `emulators/install.sh dbt`. */
  dbtBin?: string;
  /** Default `<root>/dbt`; also the profiles dir (dbt/profiles.yml). */
  projectDir?: string;
  /** Default `local` (dbt-duckdb). */
  target?: string;
  /** How long to keep retrying while another process holds the DuckDB file (a load). Default 120 s. */
  lockWaitMs?: number;
  /** A run that takes longer is killed and recorded as failed. Default 10 min. */
  timeoutMs?: number;
  /** Extra environment for dbt, over this process's. */
  env?: Readonly<Record<string, string | undefined>>;
}

interface ProcessOutcome {
  exitCode: number | null;
  output: string;
  spawnError?: Error;
  timedOut: boolean;
}

/** DuckDB's message when another process has the file open; the loader holds it only for the length of one load. */
const LOCK_CONFLICT = /Could not set lock on file/;
/** Keeps the output in memory bounded on a runaway run; the excerpt is cut from this. */
const MAX_BUFFERED_CHARS = 1_000_000;

export class LocalDbtRunner implements DbtRunner {
  private readonly options: Required<Omit<LocalDbtRunnerOptions, 'env' | 'root'>> & Pick<LocalDbtRunnerOptions, 'env'>;
  /** One dbt at a time per process: dbt would only contend with itself for the DuckDB file and target/. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: LocalDbtRunnerOptions) {
    const root = resolve(options.root ?? '.');
    this.options = {
      duckdbPath: resolve(root, options.duckdbPath),
      dbtBin: options.dbtBin ?? join(root, '.cache/venv/bin/dbt'),
      projectDir: options.projectDir ?? join(root, 'dbt'),
      target: options.target ?? 'local',
      lockWaitMs: options.lockWaitMs ?? 120_000,
      timeoutMs: options.timeoutMs ?? 600_000,
      env: options.env,
    };
  }

  run(request: DbtRunRequest): Promise<DbtRunResult> {
    const next = this.queue.then(() => this.runWhenUnlocked(request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runWhenUnlocked(request: DbtRunRequest): Promise<DbtRunResult> {
    const deadline = Date.now() + this.options.lockWaitMs;
    for (let waitMs = 250; ; waitMs = Math.min(waitMs * 2, 2000)) {
      // Probing costs milliseconds where a dbt start costs seconds; dbt's own lock error still covers the race after it.
      if (!(await isLockedByOther(this.options.duckdbPath))) {
        const startedAt = new Date().toISOString();
        const outcome = await this.spawnDbt(request);
        if (!LOCK_CONFLICT.test(outcome.output)) return this.result(outcome, startedAt);
      }
      if (Date.now() + waitMs > deadline) {
        throw new TransientError(
          `dbt could not open ${this.options.duckdbPath}: another process held it for ${this.options.lockWaitMs} ms`,
          { file: this.options.duckdbPath },
        );
      }
      await sleep(waitMs);
    }
  }

  private async spawnDbt(request: DbtRunRequest): Promise<ProcessOutcome> {
    const { projectDir } = this.options;
    // A stale run_results.json from an earlier run must never be read as this run's.
    await rm(join(projectDir, 'target', 'run_results.json'), { force: true });
    const args = [
      ...dbtBuildArgs(request, this.options.target),
      '--project-dir', projectDir, '--profiles-dir', projectDir, '--no-use-colors',
    ];
    const env = {
      ...process.env,
      ...this.options.env,
      DUCKDB_PATH: this.options.duckdbPath,
      // dbt would otherwise phone home with usage statistics on every run.
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    };
    return new Promise((resolvePromise) => {
      const child = spawn(this.options.dbtBin, args, { cwd: projectDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let timedOut = false;
      const append = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.length > MAX_BUFFERED_CHARS) output = logExcerpt(output, MAX_BUFFERED_CHARS / 2);
      };
      child.stdout.on('data', append);
      child.stderr.on('data', append);
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, this.options.timeoutMs);
      child.on('error', (spawnError) => {
        clearTimeout(timer);
        resolvePromise({ exitCode: null, output, spawnError, timedOut });
      });
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolvePromise({ exitCode, output, timedOut });
      });
    });
  }

  private async result(outcome: ProcessOutcome, startedAt: string): Promise<DbtRunResult> {
    const finishedAt = new Date().toISOString();
    const summary = await this.readRunResults();
    const base = {
      startedAt,
      finishedAt,
      modelsBuilt: summary?.built ?? [],
      modelsFailed: summary?.failed ?? [],
      logExcerpt: logExcerpt(outcome.output),
    };
    if (outcome.exitCode === 0 && !outcome.timedOut) return { status: 'success', ...base };
    return { status: 'error', ...base, message: this.failureMessage(outcome, summary) };
  }

  private async readRunResults(): Promise<RunResultsSummary | undefined> {
    const path = join(this.options.projectDir, 'target', 'run_results.json');
    const text = await readFile(path, 'utf8').catch(() => undefined);
    // dbt writes no run_results.json when it stops before running nodes (a parse or connection error).
    return text === undefined ? undefined : parseRunResults(text);
  }

  private failureMessage(outcome: ProcessOutcome, summary: RunResultsSummary | undefined): string {
    if (outcome.spawnError) {
      return `dbt could not be started (${this.options.dbtBin}): ${outcome.spawnError.message}; run emulators/install.sh dbt`;
    }
    if (outcome.timedOut) return `dbt did not finish within ${this.options.timeoutMs} ms and was stopped`;
    if (summary && summary.errors.length > 0) return summary.errors.join('\n');
    return errorLines(outcome.output) || `dbt exited with code ${outcome.exitCode}`;
  }
}

/**
 * Whether another process holds the DuckDB file now (a load in progress). A missing file is not locked. DuckDB's
 * client loads here, when dbt is about to run: a dbt trigger that only records a load never loads it.
 */
async function isLockedByOther(path: string): Promise<boolean> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  try {
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    instance.closeSync();
    return false;
  } catch (error) {
    return LOCK_CONFLICT.test(error instanceof Error ? error.message : String(error));
  }
}

/** dbt's own error lines (`Runtime Error`, `Compilation Error` and what follows), for runs that stopped before any node. */
export function errorLines(output: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /\b(Error|error)\b/.test(line) && !/^\s*Done\./.test(line));
  if (start < 0) return '';
  return lines
    .slice(start, start + 6)
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}
