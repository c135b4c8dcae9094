// What the loader does to the document: claim a round with a lease, give it back, or finish it. Pure.
import { loadIdFor } from './ids.js';
import type { LoadRequest } from './messages.js';
import {
  HISTORY_LIMIT,
  emptyRound,
  enterRound,
  identityOf,
  type FileDoc,
  type LoadResult,
} from './file-doc.js';
import { transition, type FileEvent } from './states.js';

const FINISH_EVENTS: Record<LoadResult['status'], FileEvent> = {
  loaded: 'finish_loaded',
  skipped: 'finish_loaded',
  failed: 'finish_failed',
  superseded: 'finish_superseded',
};

export const CLAIM_DECISIONS = ['claimed', 'done', 'stale', 'busy'] as const;
export type ClaimDecision = (typeof CLAIM_DECISIONS)[number];

export interface ClaimResult {
  decision: ClaimDecision;
  /** The document to write; unchanged unless claimed. */
  doc: FileDoc | undefined;
  claimNumber?: number;
  loadId?: string;
  reason: string;
}

export interface ClaimContext {
  messageId: string;
  now: string;
  leaseMs: number;
}

/** Claims the round a load request is for, or says why not. */
export function applyClaim(doc: FileDoc | undefined, request: LoadRequest, ctx: ClaimContext): ClaimResult {
  if (doc === undefined) return { decision: 'stale', doc, reason: 'no document for this table and batch key' };
  if (request.attempt !== doc.round) {
    return { decision: 'stale', doc, reason: `request is for round ${request.attempt}, the document is at round ${doc.round}` };
  }
  switch (doc.state) {
    case 'loaded':
    case 'failed':
    case 'superseded':
      return { decision: 'done', doc, reason: `round ${doc.round} already ended ${doc.state}` };
    case 'waiting':
      return { decision: 'stale', doc, reason: `round ${doc.round} is waiting for parts` };
    case 'loading': {
      const claim = doc.claim;
      const expired = claim === null || Date.parse(claim.leaseExpiresAt) <= Date.parse(ctx.now);
      if (!expired && claim.messageId !== ctx.messageId) {
        return { decision: 'busy', doc, reason: `claimed by message ${claim.messageId} until ${claim.leaseExpiresAt}` };
      }
      return claimed(doc, ctx, expired ? 'lease expired: retaken' : 'redelivered to a dead claimant: retaken');
    }
    case 'ready':
      return claimed(doc, ctx, 'claimed');
  }
}

function claimed(doc: FileDoc, ctx: ClaimContext, reason: string): ClaimResult {
  const data = doc.current.data;
  if (data === null) throw new Error(`round ${doc.round} of ${doc.table}/${doc.batchKey} has no data file`);
  const number = doc.claims + 1;
  const loadId = loadIdFor(identityOf(data), number);
  const next: FileDoc = {
    ...doc,
    state: transition(doc.state, 'claim'),
    claims: number,
    claim: {
      number,
      messageId: ctx.messageId,
      loadId,
      claimedAt: ctx.now,
      leaseExpiresAt: new Date(Date.parse(ctx.now) + ctx.leaseMs).toISOString(),
    },
    updatedAt: ctx.now,
    stateSince: doc.state === 'loading' ? doc.stateSince : ctx.now,
  };
  return { decision: 'claimed', doc: next, claimNumber: number, loadId, reason };
}

function ownsClaim(doc: FileDoc | undefined, claimNumber: number): doc is FileDoc {
  return doc !== undefined && doc.state === 'loading' && doc.claim?.number === claimNumber;
}

/**
 * Extends a live claim's lease to `now + leaseMs` (a renewal while the load runs); undefined when the claim is no
 * longer this one's, so the loader stops renewing.
 */
export function applyRenew(doc: FileDoc | undefined, claimNumber: number, now: string, leaseMs: number): FileDoc | undefined {
  if (!ownsClaim(doc, claimNumber) || doc.claim === null) return undefined;
  return { ...doc, claim: { ...doc.claim, leaseExpiresAt: new Date(Date.parse(now) + leaseMs).toISOString() } };
}

/**
 * Gives the claim back after a transient error; a document claimed by someone else since is left alone. `untouched`:
 * no commit of this claim ever started, so the next claim may skip the "loaded before?" lookup as this one could.
 */
export function applyRelease(doc: FileDoc | undefined, claimNumber: number, now: string, untouched = false): FileDoc | undefined {
  if (!ownsClaim(doc, claimNumber)) return doc;
  const released: FileDoc = { ...doc, state: transition(doc.state, 'release'), claim: null, updatedAt: now, stateSince: now };
  return untouched ? { ...released, cleanReleases: (doc.cleanReleases ?? 0) + 1 } : released;
}

/** No earlier claim of the document can have committed anything: every one before this was given back untouched. */
export function isFirstClaim(doc: FileDoc): boolean {
  return doc.claim !== null && doc.claim.number === 1 + (doc.cleanReleases ?? 0);
}

export interface FinishDecision {
  doc: FileDoc | undefined;
  owned: boolean;
  /** A load request for the round that was queued during the load, when it is complete. */
  next?: LoadRequest;
}

/** Ends the claimed round with its result, then starts the queued round if parts arrived meanwhile. */
export function applyFinish(doc: FileDoc | undefined, claimNumber: number, result: LoadResult, now: string): FinishDecision {
  if (!ownsClaim(doc, claimNumber)) return { doc, owned: false };
  const ended: FileDoc = {
    ...doc,
    state: transition(doc.state, FINISH_EVENTS[result.status]),
    claim: null,
    result,
    history: [result, ...doc.history].slice(0, HISTORY_LIMIT),
    pending: null,
    updatedAt: now,
    stateSince: now,
  };
  if (doc.pending === null) return { doc: ended, owned: true };
  const started = enterRound(ended, { ...emptyRound(), ...doc.pending }, ended.round + 1, now);
  return started.request ? { doc: started.doc, owned: true, next: started.request } : { doc: started.doc, owned: true };
}
