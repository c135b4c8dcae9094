// Group commit: files readied while a commit runs wait for it and go together in the next one, each with its own fate.
import { TransientError } from '../errors.js';
import { prepareLoad } from '../load/index.js';
import type { LoadJob, LoadResult, Warehouse } from '../load/index.js';
import type { LoadFn } from './serial-engine.js';

export interface GroupCommitOptions {
  /** The most files, and bytes, one commit takes; the rest wait for the next. */
  maxFiles: number;
  maxBytes: number;
  /**
   * The least time from one commit's start to the next one's in this process (0: none). A quota counted per table
   * per window (BigQuery's DML) is kept by spacing commits, never by holding a file back: one that finds no commit
   * in the last interval goes at once, alone.
   */
  commitIntervalMs: number;
  /** Called once per commit, for logs and benches. */
  onCommit?: (commit: { files: number; bytes: number; waitedMs: number }) => void;
}

/** A file handed back before any commit took it: its claim ends untouched, and retrying in this process is no use. */
export class HandedBack extends TransientError {}

interface Waiting {
  warehouse: Warehouse;
  job: LoadJob;
  /** LoadRequest.commitBy: no commit holding this file starts after it. */
  commitBy: number;
  done: (fate: PromiseSettledResult<LoadResult>) => void;
}

/**
 * Takes out of `waiting` and hands back every file whose claim stops being renewed before `time`: a retryable
 * failure, so its claim is released and its request redelivered, rather than a commit that another loader's retake may
 * already have made. Run when a file's `commitBy` comes, not only before a commit: a commit running long would
 * otherwise keep the file until its lease lapsed, and its redelivery would retake it (a claim that is no longer the
 * path's first: a lookup).
 */
function handBack(waiting: Waiting[], time: number, why: (commitBy: string) => string): void {
  for (let i = waiting.length - 1; i >= 0; i--) {
    const w = waiting[i]!;
    if (w.commitBy >= time) continue;
    waiting.splice(i, 1);
    const reason = new HandedBack(`${w.job.source.name}: ${why(new Date(w.commitBy).toISOString())}; handed back for a redelivery`, { file: w.job.source.name, table: w.job.table });
    w.done({ status: 'rejected', reason });
  }
}

const waitedPast = (commitBy: string) => `waited past ${commitBy}, its loader's timeout, for a commit`;
const wouldOutlast = (commitBy: string) => `its loader's timeout (${commitBy}) comes before a commit could end, as long as the last one took`;

/** The head of the queue and what follows it on the same warehouse, up to the limits (always at least one file). */
function takeBatch(queue: Waiting[], options: GroupCommitOptions): Waiting[] {
  const warehouse = queue[0]!.warehouse;
  const batch: Waiting[] = [];
  let bytes = 0;
  for (let i = 0; i < queue.length && batch.length < options.maxFiles; ) {
    const next = queue[i]!;
    if (next.warehouse !== warehouse) {
      i++;
      continue;
    }
    if (batch.length > 0 && bytes + next.job.source.bytes > options.maxBytes) break;
    bytes += next.job.source.bytes;
    batch.push(next);
    queue.splice(i, 1);
  }
  return batch;
}

/**
 * A LoadFn that checks each file on its own (header, go file, trailer: beside the other files and the running commit)
 * and hands the warehouse whatever is ready when the last commit ends, in one `loadBatch`. Nothing is acked before
 * its commit: each caller resolves with its own file's report once the commit holding it is over. A file still
 * waiting when its claim stops being renewed (`commitBy`), or whose `commitBy` comes before the commit about to take it
 * can be expected to end, is handed back, retryable, never committed late.
 */
export function groupCommit(options: GroupCommitOptions): LoadFn {
  const queue: Waiting[] = [];
  let draining = false;
  let lastStart = Number.NEGATIVE_INFINITY;
  /** How long the last commit took: what the next one is expected to take. */
  let lastCommitMs = 0;

  const drain = async () => {
    draining = true;
    try {
      while (queue.length > 0) {
        const wait = lastStart + options.commitIntervalMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        handBack(queue, Date.now(), waitedPast);
        if (queue.length === 0) break;
        const batch = takeBatch(queue, options);
        // Nor a file whose claim this commit can be expected to outlast: its lease would lapse mid-commit.
        handBack(batch, Date.now() + lastCommitMs, wouldOutlast);
        if (batch.length === 0) {
          // Every file handed back: no commit would measure again, so the estimate is dropped rather than kept forever.
          lastCommitMs = 0;
          continue;
        }
        lastStart = Date.now();
        options.onCommit?.({ files: batch.length, bytes: batch.reduce((sum, w) => sum + w.job.source.bytes, 0), waitedMs: Math.max(0, wait) });
        let fates: PromiseSettledResult<LoadResult>[];
        try {
          fates = await batch[0]!.warehouse.loadBatch(batch.map((w) => w.job));
        } catch (reason) {
          fates = batch.map(() => ({ status: 'rejected', reason }));
        }
        lastCommitMs = Date.now() - lastStart;
        batch.forEach((w, i) => w.done(fates[i] ?? { status: 'rejected', reason: new Error('the warehouse gave no fate for this file') }));
      }
    } finally {
      draining = false;
    }
  };

  return async (warehouse, request) => {
    const prepared = await prepareLoad(warehouse, request, { lookupFirst: false });
    if ('report' in prepared) return prepared.report;
    const commitBy = request.commitBy ?? Number.POSITIVE_INFINITY;
    const fate = await new Promise<PromiseSettledResult<LoadResult>>((settle) => {
      const due = Number.isFinite(commitBy) ? setTimeout(() => handBack(queue, Date.now(), waitedPast), Math.max(0, commitBy - Date.now() + 1)) : undefined;
      const done = (f: PromiseSettledResult<LoadResult>) => (clearTimeout(due), settle(f));
      queue.push({ warehouse, job: prepared.job, commitBy, done });
      if (!draining) void drain();
    });
    return prepared.settle(fate);
  };
}
