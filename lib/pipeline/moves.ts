// Moving a loaded or failed file and its go file: copy to a name unique to the load, then delete the source.
import type { Topology } from '../config/topology.js';
import { TerminalError } from '../errors.js';
import type { Part } from './file-doc.js';
import { identityOf } from './file-doc.js';
import { errorSidecarName, sidecarText, type FailureReport } from '../load/index.js';
import { destinationName, objectKey, type ObjectRef } from './ids.js';
import type { SourceRef } from './messages.js';
import { originMetadata, readOrigin } from './origin.js';
import type { ObjectStore } from './ports.js';

export interface MoveContext {
  objects: ObjectStore;
  topology: Topology;
  table: string;
  batchKey: string;
  loadId: string;
  /** The data file's identity: its generation names the folder the parts go to. */
  data: ObjectRef;
  /** The path's first claim, no replay: no earlier attempt can have moved a part (CopyOptions.first). */
  first?: boolean;
}

export const MOVE_TARGETS = ['archive', 'failed'] as const;
export type MoveTarget = (typeof MOVE_TARGETS)[number];

/** Where a part of this load goes in the archive or failed bucket. */
export function destinationOf(ctx: Omit<MoveContext, 'objects' | 'loadId'>, part: SourceRef, target: MoveTarget) {
  const bucket = ctx.topology.buckets[target];
  const name = destinationName(ctx.table, ctx.batchKey, ctx.data.generation, identityOf(part).name, ctx.topology.buckets.landing.prefix);
  return { bucket: bucket.name, name: `${bucket.prefix}${name}` };
}

/**
 * Moves one part. The copy comes first and is checked; only then is the source deleted, so a crash at any
 * point leaves the file in at least one place, and a retry finishes the move.
 */
export async function movePart(ctx: MoveContext, part: Part, target: MoveTarget): Promise<ObjectRef> {
  const dest = destinationOf(ctx, part, target);
  if (part.bucket === dest.bucket && part.name === dest.name) return part;
  const origin = identityOf(part);
  const metadata = originMetadata(origin, {
    landedAt: part.arrivedAt,
    table: ctx.table,
    batchKey: ctx.batchKey,
    loadId: ctx.loadId,
    status: target === 'archive' ? 'loaded' : 'failed',
  });
  const copy = await ctx.objects.copy(part, dest, { metadata, ...(ctx.first ? { first: true } : {}) });
  const copied = readOrigin(copy.metadata)?.origin;
  if (!copied || objectKey(copied) !== objectKey(origin)) {
    const holds = copied ? objectKey(copied) : 'another object';
    throw new TerminalError(`cannot move ${objectKey(part)}: gs://${dest.bucket}/${dest.name} already holds ${holds}; move or delete that object, then replay`, {
      object: objectKey(part),
    });
  }
  await ctx.objects.delete(part);
  if (part.bucket === ctx.topology.buckets.failed.name) {
    await ctx.objects.delete({ bucket: part.bucket, name: errorSidecarName(part.name) });
  }
  return { bucket: copy.bucket, name: copy.name, generation: copy.generation };
}

/** Writes `<name>.error.json` beside the failed data file. */
export async function writeErrorSidecar(ctx: MoveContext, failedData: ObjectRef, report: FailureReport): Promise<void> {
  await ctx.objects.writeText(failedData.bucket, errorSidecarName(failedData.name), sidecarText(report), 'application/json');
}
