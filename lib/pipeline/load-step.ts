// One claimed load: read the parts through the object store, load with the engine, move them, say how it went.
import type { TableMapping } from '../config/mapping.js';
import type { Topology } from '../config/topology.js';
import type { LoadReport, LoadRequest as EngineRequest } from '../load/index.js';
import { identityOf, type FileDoc, type LoadResult, type Part } from './file-doc.js';
import { baseName, errorSidecarName, objectKey, type ObjectRef } from './ids.js';
import type { LoadRequest } from './messages.js';
import { destinationOf, movePart, writeErrorSidecar, type MoveContext, type MoveTarget } from './moves.js';
import type { Laps } from './laps.js';
import type { ObjectStore } from './ports.js';

/** The engine, behind whatever opens and serialises the warehouse. */
export type LoadEngine = (request: EngineRequest) => Promise<LoadReport>;

export interface LoadStepDeps {
  objects: ObjectStore;
  topology: Topology;
  load: LoadEngine;
  mapping: TableMapping;
  compressed: boolean;
  now: () => string;
  /** Where the time goes: stat, warehouse (the engine's download or ranged reads, queue, load), move. */
  laps?: Laps;
}

interface Outcome extends Pick<LoadResult, 'status' | 'rows' | 'loadId' | 'error'> {
  /** False when there is nothing left to move (the data object vanished). */
  move?: false;
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
  const ctx: MoveContext = { objects: deps.objects, topology: deps.topology, table: request.table, batchKey: request.batchKey, loadId, data };
  const parts = partsOf(doc);
  const live = await deps.objects.stat(request.data.bucket, request.data.name);
  deps.laps?.lap('stat');
  const outcome =
    live?.generation === request.data.generation ? await loadParts(deps, ctx, request, loadId, live.size) : await recover(deps, ctx, parts, loadId);
  let moved: ObjectRef[] = [];
  if (outcome.move !== false) {
    moved = outcome.status === 'failed' ? await moveFailed(ctx, parts, outcome, doc, deps.now()) : await moveAll(ctx, parts, 'archive');
  }
  deps.laps?.lap('move');
  const { move: _move, ...fields } = outcome;
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
    file: objectKey(ctx.data),
    table: ctx.table,
    batchKey: ctx.batchKey,
    loadId: outcome.loadId,
    error: outcome.error ?? 'unknown error',
    failedAt: now,
    goFile: go ? objectKey(identityOf(go)) : null,
  });
  return moved;
}

async function loadParts(deps: LoadStepDeps, ctx: MoveContext, request: LoadRequest, loadId: string, bytes: number): Promise<Outcome> {
  let goFile: { name: string; text: string } | undefined;
  if (request.go) {
    const go = await deps.objects.stat(request.go.bucket, request.go.name);
    if (go?.generation !== request.go.generation) {
      return failed(loadId, `the go file ${objectKey(identityOf(request.go))} was deleted or replaced before the load; upload it again`);
    }
    goFile = { name: baseName(identityOf(request.go).name), text: await deps.objects.readText(request.go) };
  }
  const source = await deps.objects.openSource(request.data, {
    name: baseName(ctx.data.name),
    uri: `gs://${ctx.data.bucket}/${ctx.data.name}`,
    generation: ctx.data.generation,
  }, bytes);
  let report: LoadReport;
  try {
    // No download here: the engine fetches what its warehouse needs (DuckDB the whole file, BigQuery two ranged reads).
    report = await deps.load({
      source,
      mapping: deps.mapping,
      compressed: deps.compressed,
      loadId,
      ...(goFile ? { goFile } : {}),
      ...(request.replay ? { replay: true } : {}),
    });
  } finally {
    await source.dispose();
  }
  deps.laps?.lap('warehouse');
  const { status, rows, error } = report.outcome;
  if (status === 'waiting') return failed(loadId, `${source.name} needs a go file and the load request carried none`);
  return { status, rows, loadId: report.outcome.loadId ?? loadId, error };
}

function failed(loadId: string, error: string): Outcome {
  return { status: 'failed', rows: 0, loadId, error };
}

/**
 * The data object is no longer where the request says. Either an earlier attempt of this claim got as far as
 * the move (its copy is in the archive or failed bucket: finish the move), or the object was replaced or deleted.
 */
async function recover(deps: LoadStepDeps, ctx: MoveContext, parts: Part[], loadId: string): Promise<Outcome> {
  const dataPart = parts[0]!;
  const archived = destinationOf(ctx, dataPart, 'archive');
  if (await deps.objects.stat(archived.bucket, archived.name)) return { status: 'skipped', rows: 0, loadId, error: null };
  const failedCopy = destinationOf(ctx, dataPart, 'failed');
  if (await deps.objects.stat(failedCopy.bucket, failedCopy.name)) {
    const sidecar = await deps.objects.stat(failedCopy.bucket, errorSidecarName(failedCopy.name));
    const text = sidecar ? await deps.objects.readText(sidecar) : '{}';
    const error = (JSON.parse(text) as { error?: string }).error ?? 'failed in an earlier attempt';
    return failed(loadId, error);
  }
  const error = `the data file ${objectKey(ctx.data)} was deleted or replaced before it could be loaded`;
  return { ...failed(loadId, error), move: false };
}
