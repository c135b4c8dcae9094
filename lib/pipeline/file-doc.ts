// The (table, folder, batch key) document and what an arrival does to it: pure, so Firestore transactions can re-run it.
import type { TableMapping } from '../config/mapping.js';
import { objectKey, type ObjectRef } from './ids.js';
import type { LoadRequest, SourceRef } from './messages.js';
import { transition, type FileState } from './states.js';

export const PART_ROLES = ['data', 'go'] as const;
export type PartRole = (typeof PART_ROLES)[number];

export interface Part extends SourceRef {
  /** When the object landed (its creation time in the landing bucket). */
  arrivedAt: string;
}

/** One attempt at loading the file: the parts it has and whether it was asked for by a replay. */
export interface Round {
  data: Part | null;
  go: Part | null;
  replay: boolean;
  replayId: string | null;
}

export interface Claim {
  number: number;
  /** The Pub/Sub message that claimed: its redelivery means the claimant died, so it may retake at once. */
  messageId: string;
  loadId: string;
  claimedAt: string;
  leaseExpiresAt: string;
}

export const RESULT_STATUSES = ['loaded', 'failed', 'skipped', 'superseded'] as const;

export interface LoadResult {
  /** `superseded`: the claimed generation was replaced or deleted in landing before it could be loaded. */
  status: (typeof RESULT_STATUSES)[number];
  rows: number;
  loadId: string;
  error: string | null;
  file: string;
  finishedAt: string;
  /** Where the parts went (archive or failed bucket). */
  moved: ObjectRef[];
}

export interface FileDoc {
  v: 1;
  table: string;
  /** The folder under the landing prefix the parts are in (`day1/`, '' at the top): a go file pairs only within it. */
  folder: string;
  batchKey: string;
  pattern: string;
  needsGo: boolean;
  state: FileState;
  /** Rounds started so far; a load request carries it as `attempt`, so requests for older rounds are stale. */
  round: number;
  current: Round;
  /** Parts that arrived while a load ran: the next round, started when the load ends. */
  pending: Round | null;
  claim: Claim | null;
  claims: number;
  /**
   * Claims given back before any commit of theirs started (a file handed back by the group commit). They leave the
   * path as untouched as they found it: while every claim before this one was such, this one is the path's first.
   */
  cleanReleases?: number;
  result: LoadResult | null;
  history: LoadResult[];
  createdAt: string;
  updatedAt: string;
  stateSince: string;
  /** The round the sweep reported overdue (waiting past the mapping's max_wait), once per round. */
  overdue?: { round: number; reportedAt: string };
}

export interface ArrivedPart {
  role: PartRole;
  part: Part;
  replay: boolean;
  replayId: string | null;
}

export const ARRIVAL_OUTCOMES = ['duplicate', 'stale', 'waiting', 'ready', 'queued'] as const;
export type ArrivalOutcome = (typeof ARRIVAL_OUTCOMES)[number];

export interface ArrivalDecision {
  doc: FileDoc;
  outcome: ArrivalOutcome;
  /** Set when the caller must publish a load request (after committing `doc`). */
  request?: LoadRequest;
}

export const HISTORY_LIMIT = 10;

/** Where a document's parts live: their folder under the landing prefix and their batch key. */
export interface Slot {
  folder: string;
  batchKey: string;
}

/** The identity of a part: where it first landed. */
export function identityOf(part: SourceRef): ObjectRef {
  return part.origin ?? { bucket: part.bucket, name: part.name, generation: part.generation };
}

function samePart(a: Part | null, b: Part): boolean {
  return a !== null && objectKey(identityOf(a)) === objectKey(identityOf(b));
}

/** An older generation of the name the round already holds: a late duplicate from before a correction. */
function olderPart(a: Part | null, b: Part): boolean {
  if (a === null) return false;
  const [x, y] = [identityOf(a), identityOf(b)];
  return x.bucket === y.bucket && x.name === y.name && BigInt(y.generation) < BigInt(x.generation);
}

export function emptyRound(): Round {
  return { data: null, go: null, replay: false, replayId: null };
}

export function newFileDoc(mapping: TableMapping, slot: Slot, now: string): FileDoc {
  return {
    v: 1,
    table: mapping.table,
    folder: slot.folder,
    batchKey: slot.batchKey,
    pattern: mapping.pattern,
    needsGo: mapping.goFile !== undefined,
    state: 'waiting',
    round: 0,
    current: emptyRound(),
    pending: null,
    claim: null,
    claims: 0,
    result: null,
    history: [],
    createdAt: now,
    updatedAt: now,
    stateSince: now,
  };
}

export function isComplete(doc: Pick<FileDoc, 'needsGo'>, round: Round): boolean {
  return round.data !== null && (!doc.needsGo || round.go !== null);
}

function withPart(round: Round, arrived: ArrivedPart): Round {
  const next = { ...round, [arrived.role]: arrived.part };
  if (arrived.replay) return { ...next, replay: true, replayId: arrived.replayId };
  return next;
}

function strip(part: Part): SourceRef {
  const { arrivedAt: _arrivedAt, ...ref } = part;
  return ref;
}

export function requestFor(doc: FileDoc): LoadRequest {
  const { data, go, replay } = doc.current;
  if (data === null) throw new Error(`no data file in round ${doc.round} of ${doc.table}/${doc.batchKey}`);
  const request: LoadRequest = { v: 1, table: doc.table, batchKey: doc.batchKey, data: strip(data), attempt: doc.round };
  if (go) request.go = strip(go);
  if (replay) request.replay = true;
  return request;
}

function isDuplicate(doc: FileDoc, arrived: ArrivedPart): boolean {
  const inCurrent = samePart(doc.current[arrived.role], arrived.part);
  const inPending = doc.pending !== null && samePart(doc.pending[arrived.role], arrived.part);
  if (!arrived.replay) return inCurrent || inPending;
  // A replay of a part still on its way changes nothing; after the end it starts a forced round, once per replay id.
  if (inPending) return doc.pending?.replayId === arrived.replayId || !doc.pending?.replay;
  if (!inCurrent) return false;
  return doc.state === 'loading' || doc.state === 'waiting' || doc.state === 'ready' || doc.current.replayId === arrived.replayId;
}

/** Moves the document into `round` by an arrival event, marking a new load request when it became ready. */
export function enterRound(doc: FileDoc, round: Round, roundNumber: number, now: string): ArrivalDecision {
  const event = isComplete(doc, round) ? 'arrive_complete' : 'arrive_partial';
  const state = transition(doc.state, event);
  const next: FileDoc = {
    ...doc,
    state,
    round: roundNumber,
    current: round,
    updatedAt: now,
    stateSince: state === doc.state ? doc.stateSince : now,
  };
  if (state !== 'ready') return { doc: next, outcome: 'waiting' };
  return { doc: next, outcome: 'ready', request: requestFor(next) };
}

/** What one arrival does to the document (undefined when none exists yet). */
export function applyArrival(existing: FileDoc | undefined, arrived: ArrivedPart, mapping: TableMapping, slot: Slot, now: string): ArrivalDecision {
  const doc = existing ?? newFileDoc(mapping, slot, now);
  if (isDuplicate(doc, arrived)) {
    // The matcher cannot know whether its publish after the commit happened: a redelivered arrival of a round not
    // yet claimed publishes again. A second request for one round is harmless (one claim wins; docs/delivery.md).
    return doc.state === 'ready' ? { doc, outcome: 'duplicate', request: requestFor(doc) } : { doc, outcome: 'duplicate' };
  }
  // An older generation is a late duplicate, unless the round ended superseded: then the current part is gone from
  // landing, and the older one may be what is live there (object stores that finalize out of order), so it is taken;
  // if it is gone too, its load ends superseded as well.
  if (!arrived.replay && doc.state !== 'superseded' && olderPart(doc.current[arrived.role], arrived.part)) return { doc, outcome: 'stale' };
  switch (doc.state) {
    case 'waiting':
      return enterRound(doc, withPart(doc.current, arrived), Math.max(doc.round, 1), now);
    case 'ready':
      return enterRound(doc, withPart(doc.current, arrived), doc.round + 1, now);
    case 'loading': {
      const pending = withPart(doc.pending ?? emptyRound(), arrived);
      return { doc: { ...doc, pending, state: transition(doc.state, 'queue'), updatedAt: now }, outcome: 'queued' };
    }
    case 'loaded':
    case 'failed':
    case 'superseded':
      return enterRound(doc, withPart(emptyRound(), arrived), doc.round + 1, now);
  }
}

export interface OverdueWait {
  waitedSeconds: number;
  maxWaitSeconds: number;
  waitingFor: 'the go file' | 'the data file';
}

/** How long a waiting round has waited past its mapping's max_wait (from its first part's arrival), if it has. */
export function overdueWait(doc: FileDoc, mappings: readonly TableMapping[], now: Date): OverdueWait | undefined {
  if (doc.state !== 'waiting') return undefined;
  const maxWaitSeconds = mappings.find((m) => m.table === doc.table && m.pattern === doc.pattern)?.maxWaitSeconds;
  const since = [doc.current.data?.arrivedAt, doc.current.go?.arrivedAt].filter((t): t is string => t !== undefined).sort()[0];
  if (maxWaitSeconds === undefined || since === undefined) return undefined;
  const waitedSeconds = Math.floor((now.getTime() - Date.parse(since)) / 1000);
  if (waitedSeconds <= maxWaitSeconds) return undefined;
  return { waitedSeconds, maxWaitSeconds, waitingFor: doc.current.data === null ? 'the data file' : 'the go file' };
}
