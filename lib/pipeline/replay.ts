// Replay: which objects a replay selects (pure), and the GCS-format notifications it re-publishes for them.
import type { TableMapping } from '../config/mapping.js';
import type { BucketRole, Topology } from '../config/topology.js';
import { classify } from '../match/index.js';
import { relativeName, type ObjectRef } from './ids.js';
import { ARRIVAL_ATTRIBUTES } from './messages.js';
import { readOrigin } from './origin.js';
import type { ObjectInfo } from './ports.js';

export interface ReplayCriteria {
  from: BucketRole;
  prefix?: string;
  table?: string;
  batchKey?: string;
  since?: Date;
  until?: Date;
}

export interface ReplayCandidate {
  object: ObjectInfo;
  /** The identity the object first landed with. */
  origin: ObjectRef;
  table: string;
  batchKey: string;
  role: 'data' | 'go';
  landedAt: string | null;
}

const SIDECAR = '.error.json';

function candidateOf(object: ObjectInfo, from: BucketRole, topology: Topology, mappings: readonly TableMapping[]): ReplayCandidate | undefined {
  if (object.name.endsWith(SIDECAR)) return undefined;
  if (from === 'landing' && !object.name.startsWith(topology.buckets.landing.prefix)) return undefined;
  const info = from === 'landing' ? undefined : readOrigin(object.metadata);
  const origin = info?.origin ?? { bucket: object.bucket, name: object.name, generation: object.generation };
  const found = classify(origin.name, mappings);
  if (found === undefined) return undefined;
  return { object, origin, table: found.mapping.table, batchKey: found.batchKey, role: found.role, landedAt: info?.landedAt ?? object.timeCreated };
}

function matches(c: ReplayCandidate, criteria: ReplayCriteria, landingPrefix: string): boolean {
  const { prefix, table, batchKey, since, until } = criteria;
  if (prefix !== undefined) {
    const names = [c.origin.name, relativeName(c.origin.name, landingPrefix), c.object.name];
    if (!names.some((n) => n.startsWith(prefix))) return false;
  }
  if (table !== undefined && c.table !== table) return false;
  if (batchKey !== undefined && c.batchKey !== batchKey) return false;
  const at = c.landedAt === null ? NaN : Date.parse(c.landedAt);
  if (since && !(at >= since.getTime())) return false;
  if (until && !(at < until.getTime())) return false;
  return true;
}

function folder(name: string): string {
  return name.slice(0, name.lastIndexOf('/') + 1);
}

/**
 * The objects of one bucket a replay selects, plus the go file beside each selected data file (a data file
 * replayed without its go file would wait for it forever). Go files first, so a round is complete on arrival.
 */
export function selectForReplay(
  objects: readonly ObjectInfo[],
  criteria: ReplayCriteria,
  mappings: readonly TableMapping[],
  topology: Topology,
): ReplayCandidate[] {
  const all = objects.map((o) => candidateOf(o, criteria.from, topology, mappings)).filter((c): c is ReplayCandidate => c !== undefined);
  const chosen = new Set(all.filter((c) => matches(c, criteria, topology.buckets.landing.prefix)));
  for (const c of [...chosen]) {
    if (c.role !== 'data') continue;
    for (const other of all) {
      const companion = other.role === 'go' && other.table === c.table && other.batchKey === c.batchKey;
      if (companion && folder(other.object.name) === folder(c.object.name)) chosen.add(other);
    }
  }
  const order = (c: ReplayCandidate) => `${c.table}\u0000${c.batchKey}\u0000${c.role === 'go' ? 0 : 1}\u0000${c.object.name}`;
  return [...chosen].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** The OBJECT_FINALIZE notification GCS sends for the object, with `attributes` added (the sweep's re-discovery). */
export function arrivalNotification(object: ObjectInfo, now: Date, attributes: Record<string, string> = {}): { data: Buffer; attributes: Record<string, string> } {
  const resource = {
    kind: 'storage#object',
    bucket: object.bucket,
    name: object.name,
    generation: object.generation,
    size: String(object.size),
    contentType: object.contentType ?? undefined,
    timeCreated: object.timeCreated ?? undefined,
    metadata: object.metadata,
  };
  return {
    data: Buffer.from(JSON.stringify(resource)),
    attributes: {
      eventType: 'OBJECT_FINALIZE',
      bucketId: object.bucket,
      objectId: object.name,
      objectGeneration: object.generation,
      payloadFormat: 'JSON_API_V1',
      eventTime: now.toISOString(),
      ...attributes,
    },
  };
}

/** The notification GCS would send for the object, marked as a replay (`landfallReplay=true`). */
export function replayNotification(object: ObjectInfo, replayId: string, now: Date): { data: Buffer; attributes: Record<string, string> } {
  return arrivalNotification(object, now, { [ARRIVAL_ATTRIBUTES.replay]: 'true', [ARRIVAL_ATTRIBUTES.replayId]: replayId });
}
