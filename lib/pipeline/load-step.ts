// One claimed load: read the parts through the object store, load with the engine, move them, say how it went.
import type { FileFormat } from '../config/file-format.js';
import type { TableMapping } from '../config/mapping.js';
import type { Topology } from '../config/topology.js';
import type { GoFileInput, LoadReport, LoadRequest as EngineRequest } from '../load/index.js';
import { identityOf, type FileDoc, type LoadResult, type Part } from './file-doc.js';
import { errorSidecarName } from '../load/index.js';
import { baseName, objectKey, relativeName, type ObjectRef } from './ids.js';
import type { LoadRequest, SourceRef } from './messages.js';
import { destinationOf, movePart, writeErrorSidecar, type MoveContext, type MoveTarget } from './moves.js';
import type { Laps } from './laps.js';
import type { Logger } from './log.js';
import type { ObjectInfo, ObjectStore } from './ports.js';
import { LOAD_RETRY, withRetries } from './retry.js';
import { isFirstClaim } from './claims.js';
import { HandedBack } from './group-commit.js';
import { TransientError, isRetryable } from '../errors.js';

/** The engine, behind whatever opens and serialises the warehouse. */
export type LoadEngine = (request: EngineRequest) => Promise<LoadReport>;

export interface LoadStepDeps {
  objects: ObjectStore;
  log: Logger;
  topology: Topology;
  load: LoadEngine;
  mapping: TableMapping;
  compressed: boolean;
  format: FileFormat;
  now: () => string;
  /** Where the time goes: stat, warehouse (the engine's download or ranged reads, queue, load), move. */
  laps?: Laps;
  /** When the claim stops being renewed (the loader's timeout): no commit of this file starts after it. */
  commitBy?: number;
}

interface Outcome extends Pick<LoadResult, 'status' | 'rows' | 'loadId' | 'error'> {
  /** False when there is nothing left to move (the data object vanished). */
  move?: false;
  /** Where a failure is: the data file or its go file, and the line. */
  problem?: { file: string; line: number | null };
}

function partsOf(doc: FileDoc): Part[] {
  return [doc.current.data, doc.current.go].filter((p): p is Part => p !== null);
}

/**
 * The parts move independently (each copy is checked before its source goes), so they move at once; a failure
 * is thrown only once every move has settled, so no move is still running when the caller retries.
 */
async function moveAll(ctx: MoveContext, parts: Part[], target: MoveTarget): Promise<ObjectRef[]> {
  const settled = await Promise.allSettled(parts.map((part) => movePart(ctx, part, target)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ObjectRef>).value);
}

/** Loads the claimed round of `doc` (the round `request` is for) and moves its parts. */
export async function runLoad(deps: LoadStepDeps, doc: FileDoc, request: LoadRequest, loadId: string): Promise<LoadResult> {
  const data = identityOf(request.data);
  const parts = partsOf(doc);
  const live = await deps.objects.stat(request.data.bucket, request.data.name);
  deps.laps?.lap('stat');
  const inLanding = live?.generation === request.data.generation;
  // The path's first claim (any before it handed back untouched), no replay: nothing of this path can be committed or moved.
  const first = isFirstClaim(doc) && !request.replay;
  const ctx: MoveContext = { objects: deps.objects, topology: deps.topology, table: request.table, batchKey: request.batchKey, loadId, data, ...(inLanding && first ? { first } : {}) };
  const outcome = inLanding ? await loadParts(deps, ctx, request, loadId, live.size, first) : await recover(deps, ctx, request, loadId, live);
  let moved: ObjectRef[] = [];
  if (outcome.move !== false) {
    moved = outcome.status === 'failed' ? await moveFailed(ctx, parts, outcome, doc, deps.now()) : await moveAll(ctx, parts, 'archive');
  }
  deps.laps?.lap('move');
  const { move: _move, problem: _problem, ...fields } = outcome;
  return { ...fields, file: objectKey(data), finishedAt: deps.now(), moved };
}

async function moveFailed(ctx: MoveContext, parts: Part[], outcome: Outcome, doc: FileDoc, now: string): Promise<ObjectRef[]> {
  if (parts.every((part) => part.bucket !== ctx.topology.buckets.landing.name && part.bucket !== ctx.topology.buckets.failed.name)) {
    // A replay from the archive that failed: the archived copy stays where it is.
    return parts;
  }
  const moved = await moveAll(ctx, parts, 'failed');
  const go = doc.current.go;
  await writeErrorSidecar(ctx, moved[0]!, {
    error: outcome.error ?? 'unknown error',
    problem: outcome.problem ?? { file: baseName(ctx.data.name), line: null },
    file: objectKey(ctx.data),
    path: relativeName(ctx.data.name, ctx.topology.buckets.landing.prefix),
    table: ctx.table,
    batchKey: ctx.batchKey,
    loadId: outcome.loadId,
    goFile: go ? objectKey(identityOf(go)) : null,
    failedAt: now,
  });
  return moved;
}

async function loadParts(deps: LoadStepDeps, ctx: MoveContext, request: LoadRequest, loadId: string, bytes: number, fresh: boolean): Promise<Outcome> {
  let goFile: GoFileInput | undefined;
  if (request.go) {
    // An earlier attempt of this round may have archived the go file and died before the data file's move.
    const go = await whereNow(deps, ctx, request.go);
    if (go === undefined) {
      return failed(loadId, `the go file ${objectKey(identityOf(request.go))} was deleted or replaced before the load; upload it again`);
    }
    goFile = { name: baseName(identityOf(request.go).name), bytes: go.size, read: () => deps.objects.readText(go) };
  }
  const source = await deps.objects.openSource(request.data, {
    name: baseName(ctx.data.name),
    path: relativeName(ctx.data.name, deps.topology.buckets.landing.prefix),
    uri: `gs://${ctx.data.bucket}/${ctx.data.name}`,
    generation: ctx.data.generation,
  }, bytes);
  let report: LoadReport;
  let touched = false;
  const noteFailure = (load: Promise<LoadReport>) =>
    load.catch((error: unknown) => {
      if (!(error instanceof HandedBack)) touched = true;
      throw error;
    });
  const onRetry = (error: unknown, delayMs: number, attempt: number) =>
    deps.log('WARNING', 'load_retry_in_process', { table: request.table, batchKey: request.batchKey, loadId, attempt, delayMs, error: String((error as Error)?.message ?? error) });
  try {
    // No download here: the engine fetches what its warehouse needs (DuckDB the whole file, BigQuery two ranged reads).
    const engineRequest = {
      source,
      mapping: deps.mapping,
      compressed: deps.compressed,
      format: deps.format,
      loadId,
      ...(goFile ? { goFile } : {}),
      ...(request.replay ? { replay: true } : {}),
      ...(fresh ? { fresh: true } : {}),
      ...(deps.commitBy === undefined ? {} : { commitBy: deps.commitBy }),
    };
    report = await withRetries(() => noteFailure(deps.load(engineRequest)), { ...LOAD_RETRY, onRetry, retryable: (e) => isRetryable(e) && !(e instanceof HandedBack) });
  } catch (error) {
    // Handed back untouched only if no try before it failed in a commit (or anywhere a commit may have started).
    throw error instanceof HandedBack && touched ? new TransientError(error.message, error.context, error) : error;
  } finally {
    await source.dispose();
  }
  deps.laps?.lap('warehouse');
  const { status, rows, error } = report.outcome;
  if (status === 'waiting') return failed(loadId, `${source.name} needs a go file and the load request carried none`);
  if (status === 'skipped') {
    // This generation is in already: an earlier attempt of the round committed, then died before it told anyone.
    // The round ends as it would have without the crash: loaded, with that load's id and rows.
    return { status: 'loaded', rows: report.earlierRows ?? 0, loadId: report.outcome.loadId ?? loadId, error: null };
  }
  const where = report.failure?.context;
  const problem = where ? { file: where.file ?? source.name, line: where.line ?? null } : undefined;
  return { status, rows, loadId: report.outcome.loadId ?? loadId, error, ...(problem ? { problem } : {}) };
}

function failed(loadId: string, error: string): Outcome {
  return { status: 'failed', rows: 0, loadId, error };
}

/** The reason an earlier attempt wrote beside the failed copy; a sidecar that is gone or unreadable still fails the file. */
async function earlierFailure(deps: LoadStepDeps, failedCopy: { bucket: string; name: string }): Promise<string> {
  const fallback = 'failed in an earlier attempt (its .error.json is missing or unreadable)';
  const sidecar = await deps.objects.stat(failedCopy.bucket, errorSidecarName(failedCopy.name));
  if (!sidecar) return fallback;
  try {
    const error = (JSON.parse(await deps.objects.readText(sidecar)) as { error?: unknown }).error;
    return typeof error === 'string' ? error : fallback;
  } catch {
    return fallback;
  }
}

/** Where a part is now: still in landing, or the copy an earlier attempt of this round moved to the archive. */
async function whereNow(deps: LoadStepDeps, ctx: MoveContext, part: SourceRef): Promise<ObjectInfo | undefined> {
  const live = await deps.objects.stat(part.bucket, part.name);
  if (live?.generation === part.generation) return live;
  const archived = destinationOf(ctx, part, 'archive');
  return deps.objects.stat(archived.bucket, archived.name);
}

/**
 * The data object is no longer where the request says. Either an earlier attempt of this claim got as far as the
 * move (its copy is in the archive or failed bucket: load from there, which the warehouse finds done, and finish
 * the move), or the generation was replaced or deleted in landing before its load: it is superseded (a newer
 * generation has an arrival of its own), not failed.
 */
async function recover(deps: LoadStepDeps, ctx: MoveContext, request: LoadRequest, loadId: string, live: ObjectRef | undefined): Promise<Outcome> {
  const archived = destinationOf(ctx, request.data, 'archive');
  const copy = await deps.objects.stat(archived.bucket, archived.name);
  if (copy) {
    const data: SourceRef = { ...request.data, bucket: copy.bucket, name: copy.name, generation: copy.generation, origin: identityOf(request.data) };
    return loadParts(deps, ctx, { ...request, data }, loadId, copy.size, false);
  }
  const failedCopy = destinationOf(ctx, request.data, 'failed');
  if (await deps.objects.stat(failedCopy.bucket, failedCopy.name)) return failed(loadId, await earlierFailure(deps, failedCopy));
  const by = live ? `replaced by generation ${live.generation}` : 'deleted';
  return { status: 'superseded', rows: 0, loadId, error: `${objectKey(ctx.data)} was ${by} before it could be loaded`, move: false };
}
