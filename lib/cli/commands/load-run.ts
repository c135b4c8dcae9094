// The files of one `landfall load`: classified, loaded one by one, moved to archive/ or failed/, each reported.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDuckDbWarehouse } from '../../adapters/duckdb/index.js';
import { identityPath, moveInto, openLocalFile, writeErrorSidecar } from '../../adapters/local/index.js';
import type { TableMapping } from '../../config/index.js';
import { LandfallError, isRetryable } from '../../errors.js';
import { loadFile } from '../../load/index.js';
import type { LoadOutcome, Warehouse } from '../../load/index.js';
import { classify, companionGoName, dataNameOf } from '../../match/index.js';
import type { Classification } from '../../match/index.js';
import type { LoadCliOptions } from './load.js';
import { printOutcome, progressPrinter } from './load-output.js';

/** One file of the command line, classified; a data file carries its go file's path when it is there. */
type Task =
  | { kind: 'unmatched'; path: string }
  | { kind: 'not-a-file'; path: string }
  | { kind: 'go'; path: string; found: Classification }
  | { kind: 'data'; path: string; found: Classification; goName?: string; goPath?: string };

export interface Done {
  outcome: LoadOutcome;
  /** The identity path (under the landing root, else absolute). */
  path: string;
  failure?: { message: string; file?: string; line?: number };
  /** The failure is not the file's fault (a lock, a vanished file): it stays where it is, to be tried again. */
  retryable?: boolean;
  goPath?: string;
  /** Why the file could not be moved to archive/ or failed/ (the load itself is reported as it ended). */
  moveError?: string;
  /** A waiting file: the part it waits for, by role and name. */
  waitingFor?: { role: 'go file' | 'data file'; name: string };
}

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

async function planTask(path: string, mappings: readonly TableMapping[]): Promise<Task> {
  if (!(await isFile(path))) return { kind: 'not-a-file', path };
  const found = classify(basename(path), mappings);
  if (!found) return { kind: 'unmatched', path };
  if (found.role === 'go') return { kind: 'go', path, found };
  const goName = companionGoName(found.mapping, found.batchKey);
  if (goName === undefined) return { kind: 'data', path, found };
  // A go file pairs only with the data file in its own folder.
  const goPath = join(dirname(path), goName);
  return (await isFile(goPath)) ? { kind: 'data', path, found, goName, goPath } : { kind: 'data', path, found, goName };
}

function refused(path: string, options: LoadCliOptions, error: string): Done {
  const outcome: LoadOutcome = { file: basename(path), table: '', status: 'failed', rows: 0, loadId: null, error };
  return { outcome, path: identityPath(path, options.landingRoot), failure: { message: error, file: basename(path) } };
}

function notLoaded(task: Extract<Task, { kind: 'data' }>, options: LoadCliOptions, loadId: string | null, error: unknown): Done {
  const message = error instanceof Error ? error.message : String(error);
  return {
    outcome: { file: basename(task.path), table: task.found.mapping.table, status: 'failed', rows: 0, loadId, error: message },
    path: identityPath(task.path, options.landingRoot),
    failure: { message, ...(error instanceof LandfallError ? error.context : {}) },
    retryable: isRetryable(error),
  };
}

async function loadData(task: Extract<Task, { kind: 'data' }>, warehouse: Warehouse, options: LoadCliOptions): Promise<Done> {
  const { mapping, compressed, format } = task.found;
  const loadId = randomUUID();
  try {
    const source = await openLocalFile(task.path, options.landingRoot === undefined ? {} : { landingRoot: options.landingRoot });
    const goPath = task.goPath;
    const goFile = goPath && task.goName ? { name: task.goName, bytes: (await stat(goPath)).size, read: () => readFile(goPath, 'utf8') } : undefined;
    const onProgress = options.json ? undefined : progressPrinter(source.name);
    const report = await loadFile(warehouse, { source, mapping, compressed, format, loadId, force: options.force, ...(goFile && { goFile }), ...(onProgress && { onProgress }) });
    const failure = report.failure && { message: report.failure.message, ...report.failure.context };
    return { outcome: report.outcome, path: source.path, ...(failure && { failure }), ...(task.goPath && { goPath: task.goPath }) };
  } catch (error) {
    // Not bad input (that is a `failed` outcome already): the database is locked, a file vanished, …
    return notLoaded(task, options, loadId, error);
  }
}

interface RunState {
  mappings: readonly TableMapping[];
  options: LoadCliOptions;
  warehouse?: Warehouse;
}

/** Opens the database on first use, once per command; a lock held elsewhere fails the file, retryably. */
async function processTask(task: Exclude<Task, { kind: 'go' }>, state: RunState): Promise<Done> {
  const { options } = state;
  if (task.kind === 'not-a-file') return refused(task.path, options, `${task.path} is not a file`);
  if (task.kind === 'unmatched') {
    const patterns = state.mappings.map((m) => m.pattern).join(', ');
    return refused(task.path, options, `no table mapping matches ${basename(task.path)} (patterns: ${patterns})`);
  }
  if (task.goName && !task.goPath) return waiting(task.path, task.found, { role: 'go file', name: task.goName }, options);
  try {
    state.warehouse ??= await openDuckDbWarehouse(options.duckdbPath, {
      memoryLimit: options.memoryLimit,
      lockWaitMs: options.lockWaitMs,
      ...(options.tempDirectory && { tempDirectory: options.tempDirectory }),
    });
  } catch (error) {
    return notLoaded(task, options, null, error);
  }
  return loadData(task, state.warehouse, options);
}

/** Archive after a load (or a skip: the rows are already in), failed/ with `<name>.error.json` after a failure. */
async function settle(task: Exclude<Task, { kind: 'go' }>, done: Done, options: LoadCliOptions): Promise<void> {
  const { status } = done.outcome;
  const folder = status === 'failed' ? options.failedDir : status === 'loaded' || status === 'skipped' ? options.archiveDir : undefined;
  if (folder === undefined || done.retryable || task.kind === 'not-a-file') return;
  // Under the landing root a file keeps its path there; from anywhere else it goes by its base name.
  const place = (path: string) => (isAbsolute(done.path) ? basename(path) : join(dirname(done.path), basename(path)));
  const moved = await moveInto(task.path, folder, place(task.path));
  if (done.goPath) await moveInto(done.goPath, folder, place(done.goPath));
  if (status !== 'failed') return;
  await writeErrorSidecar(moved, {
    error: done.failure?.message ?? done.outcome.error ?? 'unknown error',
    problem: { file: done.failure?.file ?? basename(task.path), line: done.failure?.line ?? null },
    file: pathToFileURL(task.path).href,
    path: done.path,
    table: done.outcome.table || null,
    batchKey: task.kind === 'data' ? task.found.batchKey : null,
    loadId: done.outcome.loadId,
    goFile: done.goPath ? pathToFileURL(done.goPath).href : null,
    failedAt: new Date().toISOString(),
  });
}

/** A file that waits for its other part: nothing happens to it until both are given. */
function waiting(path: string, found: Classification, waitingFor: NonNullable<Done['waitingFor']>, options: LoadCliOptions): Done {
  const outcome: LoadOutcome = { file: basename(path), table: found.mapping.table, status: 'waiting', rows: 0, loadId: null, error: null };
  return { outcome, path: identityPath(path, options.landingRoot), waitingFor };
}

/** A go file named on the command line without its data file waits for it; with it, the data file's line tells both. */
function goFileAlone(task: Extract<Task, { kind: 'go' }>, dataPaths: ReadonlySet<string>, options: LoadCliOptions): Done | undefined {
  const data = join(dirname(task.path), dataNameOf(task.found.mapping, task.found.batchKey));
  if (dataPaths.has(data) || dataPaths.has(`${data}.gz`)) return undefined;
  return waiting(task.path, task.found, { role: 'data file', name: basename(data) }, options);
}

/**
 * Runs every file to the end, whatever happens to one of them: a move that fails is reported on that file's line.
 * Resolves true when any file failed to load or to move.
 */
export async function runLoad(files: readonly string[], mappings: readonly TableMapping[], options: LoadCliOptions): Promise<boolean> {
  const tasks = await Promise.all(files.map((file) => planTask(file, mappings)));
  const dataPaths = new Set(tasks.filter((t) => t.kind === 'data').map((t) => t.path));
  const state: RunState = { mappings, options };
  let trouble = false;
  try {
    for (const task of tasks) {
      if (task.kind === 'go') {
        const alone = goFileAlone(task, dataPaths, options);
        if (alone) printOutcome(alone, { json: options.json, elapsedMs: 0 });
        continue;
      }
      const started = Date.now();
      const done = await processTask(task, state);
      try {
        await settle(task, done, options);
      } catch (error) {
        done.moveError = `could not move ${task.path}: ${error instanceof Error ? error.message : String(error)}`;
      }
      printOutcome(done, { json: options.json, elapsedMs: Date.now() - started });
      trouble ||= done.outcome.status === 'failed' || done.moveError !== undefined;
    }
  } finally {
    await state.warehouse?.close();
  }
  return trouble;
}
