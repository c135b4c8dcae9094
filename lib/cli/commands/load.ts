// `landfall load [--tables DIR] [--duckdb PATH] [--archive DIR] [--failed DIR] [--force] [--json] FILE...`
import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDuckDbWarehouse } from '../../adapters/duckdb/index.js';
import { moveInto, openLocalFile, writeErrorSidecar } from '../../adapters/local/index.js';
import { ConfigError, LandfallError } from '../../errors.js';
import { loadTableMappings, parseSettings } from '../../config/index.js';
import type { Env, TableMapping } from '../../config/index.js';
import { loadFile } from '../../load/index.js';
import type { LoadOutcome, Warehouse } from '../../load/index.js';
import { classify, companionGoName, dataNameOf } from '../../match/index.js';
import type { Classification } from '../../match/index.js';
import type { Command } from '../main.js';
import { printOutcome, progressPrinter } from './load-output.js';

const USAGE = 'usage: landfall load [--tables DIR] [--duckdb PATH] [--archive DIR] [--failed DIR] [--force] [--json] FILE...';

export interface LoadCliOptions {
  tablesDir: string;
  duckdbPath: string;
  archiveDir: string | undefined;
  failedDir: string | undefined;
  force: boolean;
  json: boolean;
  files: string[];
  memoryLimit: string;
  lockWaitMs: number;
  tempDirectory: string | undefined;
}

/** Flags over env (TABLE_CONFIG_PATH, DUCKDB_PATH, ARCHIVE_PATH, FAILED_PATH) over defaults. Pure. */
export function parseLoadArgs(argv: string[], env: Env): LoadCliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tables: { type: 'string' },
      duckdb: { type: 'string' },
      archive: { type: 'string' },
      failed: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const settings = parseSettings(env);
  return {
    tablesDir: values.tables ?? settings.tableConfigPath,
    duckdbPath: values.duckdb ?? settings.duckdbPath,
    archiveDir: values.archive ?? settings.archivePath,
    failedDir: values.failed ?? settings.failedPath,
    force: values.force,
    json: values.json,
    files: [...new Set(positionals.map((file) => resolve(file)))],
    memoryLimit: settings.duckdbMemoryLimit,
    lockWaitMs: settings.duckdbLockWaitMs,
    tempDirectory: settings.duckdbTempDirectory,
  };
}

/** One file of the command line, classified; a data file carries its go file's path when it is there. */
type Task =
  | { kind: 'unmatched'; path: string }
  | { kind: 'go'; path: string; found: Classification }
  | { kind: 'data'; path: string; found: Classification; goName?: string; goPath?: string };

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function planTask(path: string, mappings: readonly TableMapping[]): Promise<Task> {
  const found = classify(basename(path), mappings);
  if (!found) return { kind: 'unmatched', path };
  if (found.role === 'go') return { kind: 'go', path, found };
  const goName = companionGoName(found.mapping, found.batchKey);
  if (goName === undefined) return { kind: 'data', path, found };
  const goPath = join(dirname(path), goName);
  return (await exists(goPath)) ? { kind: 'data', path, found, goName, goPath } : { kind: 'data', path, found, goName };
}

interface Done {
  outcome: LoadOutcome;
  failure?: { message: string; file?: string; line?: number };
  /** The failure is not the file's fault (a lock, a vanished file): it stays where it is, to be tried again. */
  retryable?: boolean;
  goPath?: string;
}

function unmatched(path: string, mappings: readonly TableMapping[]): Done {
  const name = basename(path);
  const patterns = mappings.map((m) => m.pattern).join(', ');
  const error = `no table mapping matches ${name} (patterns: ${patterns})`;
  return { outcome: { file: name, table: '', status: 'failed', rows: 0, loadId: null, error }, failure: { message: error, file: name } };
}

function notLoaded(task: Extract<Task, { kind: 'data' }>, loadId: string | null, error: unknown): Done {
  const message = error instanceof Error ? error.message : String(error);
  return {
    outcome: { file: basename(task.path), table: task.found.mapping.table, status: 'failed', rows: 0, loadId, error: message },
    failure: { message, ...(error instanceof LandfallError ? error.context : {}) },
    retryable: !(error instanceof LandfallError) || error.retryable,
  };
}

async function loadData(task: Extract<Task, { kind: 'data' }>, warehouse: Warehouse, options: LoadCliOptions): Promise<Done> {
  const { mapping, compressed } = task.found;
  const name = basename(task.path);
  const loadId = randomUUID();
  try {
    const source = await openLocalFile(task.path);
    const goFile = task.goPath && task.goName ? { name: task.goName, text: await readFile(task.goPath, 'utf8') } : undefined;
    const onProgress = options.json ? undefined : progressPrinter(name);
    const report = await loadFile(warehouse, { source, mapping, compressed, loadId, force: options.force, ...(goFile && { goFile }), ...(onProgress && { onProgress }) });
    const failure = report.failure && { message: report.failure.message, ...report.failure.context };
    return { outcome: report.outcome, ...(failure && { failure }), ...(task.goPath && { goPath: task.goPath }) };
  } catch (error) {
    // Not bad input (that is a `failed` outcome already): the database is locked, a file vanished, …
    return notLoaded(task, loadId, error);
  }
}

/** Archive after a load (or a skip: the rows are already in), failed/ with `<name>.error.json` after a failure. */
async function settle(path: string, done: Done, options: LoadCliOptions): Promise<void> {
  const files = [path, ...(done.goPath ? [done.goPath] : [])];
  const { status } = done.outcome;
  if (done.retryable) return;
  if ((status === 'loaded' || status === 'skipped') && options.archiveDir) {
    for (const file of files) await moveInto(file, options.archiveDir);
  }
  if (status === 'failed' && options.failedDir) {
    for (const file of files) await moveInto(file, options.failedDir);
    await writeErrorSidecar(options.failedDir, basename(path), {
      reason: done.failure?.message ?? done.outcome.error ?? 'unknown',
      file: done.failure?.file ?? basename(path),
      line: done.failure?.line ?? null,
      table: done.outcome.table || null,
      loadId: done.outcome.loadId,
      time: new Date().toISOString(),
    });
  }
}

/** A go file named on the command line without its data file: say why nothing happens to it. */
function noteGoFile(task: Extract<Task, { kind: 'go' }>, dataPaths: ReadonlySet<string>): void {
  const data = join(dirname(task.path), dataNameOf(task.found.mapping, task.found.batchKey));
  if (dataPaths.has(data) || dataPaths.has(`${data}.gz`)) return;
  console.error(`${basename(task.path)}: a go file is not loaded itself; it travels with ${basename(data)}, which was not given`);
}

/** Opens the database on first use, once per command; a lock held elsewhere fails the file, retryably. */
async function processTask(task: Task, state: RunState): Promise<Done> {
  if (task.kind === 'unmatched') return unmatched(task.path, state.mappings);
  if (task.kind !== 'data') throw new Error('go files are not processed');
  if (task.goName && !task.goPath) return { outcome: { file: basename(task.path), table: task.found.mapping.table, status: 'waiting', rows: 0, loadId: null, error: null } };
  try {
    const { options } = state;
    state.warehouse ??= await openDuckDbWarehouse(options.duckdbPath, {
      memoryLimit: options.memoryLimit,
      lockWaitMs: options.lockWaitMs,
      ...(options.tempDirectory && { tempDirectory: options.tempDirectory }),
    });
  } catch (error) {
    return notLoaded(task, null, error);
  }
  return loadData(task, state.warehouse, state.options);
}

interface RunState {
  mappings: readonly TableMapping[];
  options: LoadCliOptions;
  warehouse?: Warehouse;
}

async function runTasks(tasks: Task[], state: RunState): Promise<boolean> {
  const dataPaths = new Set(tasks.filter((t) => t.kind === 'data').map((t) => t.path));
  let failed = false;
  try {
    for (const task of tasks) {
      if (task.kind === 'go') {
        if (!state.options.json) noteGoFile(task, dataPaths);
        continue;
      }
      const started = Date.now();
      const done = await processTask(task, state);
      await settle(task.path, done, state.options);
      const waitingFor = task.kind === 'data' ? task.goName : undefined;
      printOutcome(done.outcome, { json: state.options.json, elapsedMs: Date.now() - started, waitingFor });
      failed ||= done.outcome.status === 'failed';
    }
  } finally {
    await state.warehouse?.close();
  }
  return failed;
}

export const command: Command = {
  usage: USAGE,
  summary: 'load CSV files into DuckDB (validated, idempotent, one transaction per file)',
  async run(argv, env) {
    let options: LoadCliOptions;
    try {
      options = parseLoadArgs(argv, env);
    } catch (error) {
      console.error(`landfall load: ${(error as Error).message}\n${USAGE}`);
      return 1;
    }
    if (options.files.length === 0) {
      console.error(USAGE);
      return 1;
    }
    let mappings: TableMapping[];
    try {
      mappings = await loadTableMappings(options.tablesDir);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`landfall load: ${error.message}`);
      return 1;
    }
    const tasks = await Promise.all(options.files.map((file) => planTask(file, mappings)));
    return (await runTasks(tasks, { mappings, options })) ? 1 : 0;
  },
};
