// What one sweep does, decided from what it read: re-drive stuck rounds, re-announce lost arrivals, report what is
// overdue. Pure, so every rule is tested without a store or a bus.
import type { TableMapping, Topology } from '../config/index.js';
import { classify } from '../match/index.js';
import { fileDocId, folderOf, identityOf, objectKey, overdueWait, relativeName, requestFor, type FileDoc, type LoadRequest, type ObjectInfo, type OverdueWait, type Round } from '../pipeline/index.js';
import { batchOverdue, type BatchKeyState, type BatchOverdue, type TriggerBatch } from '../transform/index.js';

export interface SweepInput {
  /** Documents whose round has not ended, by id. */
  active: ReadonlyMap<string, FileDoc>;
  /** The live objects under the landing prefix. */
  landing: readonly ObjectInfo[];
  /** Documents of landing objects that no active document holds (terminal ones), by id; absent: none exists. */
  others: ReadonlyMap<string, FileDoc>;
  batchStates: readonly BatchKeyState[];
  batches: readonly TriggerBatch[];
  mappings: readonly TableMapping[];
  topology: Topology;
  now: Date;
}

export interface Redrive {
  id: string;
  request: LoadRequest;
  reason: string;
}

export interface OverdueFile extends OverdueWait {
  id: string;
  doc: FileDoc;
}

export interface OverdueBatch extends BatchOverdue {
  batch: string;
  batchKey: string;
}

export interface SweepPlan {
  redrive: Redrive[];
  /** Landing objects older than `readyAfterSeconds` that no document knows of: their arrival was lost. */
  rediscover: ObjectInfo[];
  overdueFiles: OverdueFile[];
  overdueBatches: OverdueBatch[];
}

const ageMs = (since: string, now: Date): number => now.getTime() - Date.parse(since);

/**
 * A ready round whose request should have been claimed by now (`sweep.readyAfterSeconds`: a request is claimed within
 * seconds, or retried within the back-off), or a claim whose lease lapsed (its loader stopped renewing it: it died).
 * A live loader's claim is never here, and failed rounds never are.
 */
function redriveOf(id: string, doc: FileDoc, input: SweepInput): Redrive | undefined {
  if (doc.current.data === null) return undefined;
  if (doc.state === 'ready' && ageMs(doc.stateSince, input.now) > input.topology.sweep.readyAfterSeconds * 1000) {
    return { id, request: requestFor(doc), reason: `ready since ${doc.stateSince} and never claimed` };
  }
  const claim = doc.claim;
  if (doc.state === 'loading' && claim !== null && Date.parse(claim.leaseExpiresAt) < input.now.getTime()) {
    return { id, request: requestFor(doc), reason: `claim ${claim.number} expired at ${claim.leaseExpiresAt}` };
  }
  return undefined;
}

function overdueOf(id: string, doc: FileDoc, input: SweepInput): OverdueFile | undefined {
  if (doc.overdue?.round === doc.round) return undefined;
  const wait = overdueWait(doc, input.mappings, input.now);
  return wait && { id, doc, ...wait };
}

function holds(round: Round | null, object: ObjectInfo): boolean {
  if (round === null) return false;
  const key = objectKey(object);
  return [round.data, round.go].some((part) => part !== null && objectKey(identityOf(part)) === key);
}

/** The document a landed object belongs to, as the matcher files it; undefined when no mapping claims the name. */
function docIdOf(name: string, mappings: readonly TableMapping[], topology: Topology): string | undefined {
  const found = classify(name, mappings);
  if (found === undefined) return undefined;
  return fileDocId(found.mapping.table, folderOf(relativeName(name, topology.buckets.landing.prefix)), found.batchKey);
}

/** Whether any document holds the object in its current or pending round (loaded, failed or on its way). */
function known(object: ObjectInfo, input: SweepInput): boolean {
  const id = docIdOf(object.name, input.mappings, input.topology);
  if (id === undefined) return true; // no mapping claims it: recorded as unmatched, nothing to load
  const doc = input.active.get(id) ?? input.others.get(id);
  return doc !== undefined && (holds(doc.current, object) || holds(doc.pending, object));
}

function overdueBatchesOf(input: SweepInput): OverdueBatch[] {
  return input.batchStates.flatMap((state) => {
    const batch = input.batches.find((b) => b.name === state.batch);
    const late = batch && state.overdueReportedAt === undefined ? batchOverdue(batch, state, input.now) : undefined;
    return late ? [{ batch: state.batch, batchKey: state.batchKey, ...late }] : [];
  });
}

/** The landing objects whose document might be a terminal one, to read before planning (ids of their documents). */
export function docsToRead(landing: readonly ObjectInfo[], active: ReadonlyMap<string, FileDoc>, mappings: readonly TableMapping[], topology: Topology): string[] {
  const ids = landing.map((object) => docIdOf(object.name, mappings, topology));
  return [...new Set(ids.filter((id): id is string => id !== undefined && !active.has(id)))];
}

export function planSweep(input: SweepInput): SweepPlan {
  const redrive: Redrive[] = [];
  const overdueFiles: OverdueFile[] = [];
  for (const [id, doc] of input.active) {
    const stuck = redriveOf(id, doc, input);
    if (stuck) redrive.push(stuck);
    const late = overdueOf(id, doc, input);
    if (late) overdueFiles.push(late);
  }
  const settled = (o: ObjectInfo) => o.timeCreated !== null && ageMs(o.timeCreated, input.now) > input.topology.sweep.readyAfterSeconds * 1000;
  const rediscover = input.landing.filter((o) => settled(o) && !known(o, input));
  return { redrive, rediscover, overdueFiles, overdueBatches: overdueBatchesOf(input) };
}
