// The custom metadata an archived or failed copy carries, so a replay keeps the identity it first landed with.
import type { ObjectRef } from './ids.js';

export const ORIGIN_METADATA = {
  bucket: 'landfall-origin-bucket',
  name: 'landfall-origin-name',
  generation: 'landfall-origin-generation',
  landedAt: 'landfall-landed-at',
  table: 'landfall-table',
  batchKey: 'landfall-batch-key',
  loadId: 'landfall-load-id',
  status: 'landfall-status',
} as const;

export interface OriginInfo {
  origin: ObjectRef;
  landedAt: string | null;
  table: string | null;
  batchKey: string | null;
}

export function originMetadata(
  origin: ObjectRef,
  fields: { landedAt: string; table: string; batchKey: string; loadId: string; status: string },
): Record<string, string> {
  return {
    [ORIGIN_METADATA.bucket]: origin.bucket,
    [ORIGIN_METADATA.name]: origin.name,
    [ORIGIN_METADATA.generation]: origin.generation,
    [ORIGIN_METADATA.landedAt]: fields.landedAt,
    [ORIGIN_METADATA.table]: fields.table,
    [ORIGIN_METADATA.batchKey]: fields.batchKey,
    [ORIGIN_METADATA.loadId]: fields.loadId,
    [ORIGIN_METADATA.status]: fields.status,
  };
}

/** The original identity written on a copy, or undefined for an object that is not one. */
export function readOrigin(metadata: Record<string, string>): OriginInfo | undefined {
  const bucket = metadata[ORIGIN_METADATA.bucket];
  const name = metadata[ORIGIN_METADATA.name];
  const generation = metadata[ORIGIN_METADATA.generation];
  if (!bucket || !name || !generation || !/^\d+$/.test(generation)) return undefined;
  return {
    origin: { bucket, name, generation },
    landedAt: metadata[ORIGIN_METADATA.landedAt] || null,
    table: metadata[ORIGIN_METADATA.table] || null,
    batchKey: metadata[ORIGIN_METADATA.batchKey] || null,
  };
}
