// What `landfall load` prints: one JSON object per file (--json), or a line a person reads, and progress on a TTY.
import type { LoadOutcome, LoadProgress } from '../../load/index.js';
import type { Done } from './load-run.js';

/** Progress shows only for loads that take longer than this, so short loads print one clean line. */
const PROGRESS_AFTER_MS = 1000;

export function printOutcome(done: Pick<Done, 'outcome' | 'path' | 'moveError' | 'waitingFor' | 'failure'>, how: { json: boolean; elapsedMs: number }): void {
  const { outcome, waitingFor, failure } = done;
  if (how.json) {
    const { file, table, status, rows, loadId, error } = outcome;
    const waits = waitingFor ? { waitingFor: waitingFor.name } : {};
    // Where the failure is: the data file or its go file, and the line (null where no line applies).
    const problem = failure ? { file: failure.file ?? file, line: failure.line ?? null } : null;
    console.log(JSON.stringify({ file, path: done.path, table, status, rows, loadId, error, problem, moveError: done.moveError ?? null, ...waits }));
    return;
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  const head = `${outcome.status.padEnd(8)} ${(outcome.table || '-').padEnd(16)} ${done.path}`;
  const detail: Record<LoadOutcome['status'], string> = {
    loaded: `${outcome.rows} ${outcome.rows === 1 ? 'row' : 'rows'} in ${how.elapsedMs} ms`,
    skipped: `already loaded (load ${outcome.loadId}); --force reloads it`,
    waiting: waitingFor?.role === 'data file' ? `a go file waits for its data file ${waitingFor.name}, which was not given` : `waiting for its go file ${waitingFor?.name ?? ''}`.trimEnd(),
    failed: outcome.error ?? '',
  };
  const line = `${head}  ${detail[outcome.status]}${done.moveError ? `; ${done.moveError}` : ''}`;
  if (outcome.status === 'failed' || done.moveError) console.error(line);
  else console.log(line);
}

/** A progress callback that redraws one stderr line on a terminal; undefined when stderr is not a terminal. */
export function progressPrinter(file: string): ((progress: LoadProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = Date.now();
  return (progress) => {
    const elapsedMs = Date.now() - started;
    if (elapsedMs < PROGRESS_AFTER_MS) return;
    const percent = progress.percent >= 0 ? `${progress.percent.toFixed(0)}%` : '…';
    process.stderr.write(`\r\x1b[2Kloading ${file}: ${percent} (${(elapsedMs / 1000).toFixed(0)} s)`);
  };
}
