// The loader use case: claim the round a load request is for, load it with the engine, move the files, tell.
import { TransientError, isRetryable } from '../errors.js';
import { classify } from '../match/index.js';
import { applyClaim, applyFinish, applyRelease } from './claims.js';
import { HandedBack } from './group-commit.js';
import { deadLetter, guardMalformed } from './dead-letter.js';
import { eventTeller, type EventTeller } from './event-list.js';
import { identityOf, type FileDoc, type LoadResult } from './file-doc.js';
import { fileDocId, folderOf, objectKey, relativeName } from './ids.js';
import type { LoadEngine } from './load-step.js';
import { runLoad } from './load-step.js';
import { Laps } from './laps.js';
import { renewWhileLoading } from './lease-renewal.js';
import { MalformedMessageError, parseJson, validateLoadRequest } from './messages.js';
import type { BusMessage, LoadEvent, LoadRequest } from './messages.js';
import type { MatcherDeps } from './matcher.js';

export interface LoaderDeps extends MatcherDeps {
  load: LoadEngine;
  /**
   * How long a claim holds off other deliveries after its last renewal (renewed every third of it while the load runs);
   * a dead claimant's own redelivery retakes at once.
   */
  leaseMs: number;
}

/** One teller per set of deps (one loader process): the events of files that finish together share a message. */
const tellers = new WeakMap<LoaderDeps, EventTeller>();
function tellerOf(deps: LoaderDeps): EventTeller {
  let teller = tellers.get(deps);
  // Through `deps.bus` as it is at each publish, not as it was when the first event came.
  if (!teller) tellers.set(deps, (teller = eventTeller({ publish: (...args) => deps.bus.publish(...args) }, deps.topology.topics.loadEvents)));
  return teller;
}

export type LoaderResult = LoadResult['status'] | 'stale' | 'done' | 'lost' | 'malformed';

function nowIso(deps: LoaderDeps): string {
  return (deps.now ?? (() => new Date()))().toISOString();
}

export async function handleLoadRequest(deps: LoaderDeps, message: BusMessage): Promise<LoaderResult> {
  const request = guardMalformed(() => validateLoadRequest(parseJson(message)));
  if (request instanceof Error) {
    await deadLetter(deps, message, request, 'loader');
    return 'malformed';
  }
  const found = classify(identityOf(request.data).name, deps.mappings);
  if (found === undefined || found.mapping.table !== request.table) {
    const reason = `no table mapping for ${identityOf(request.data).name} writes table ${request.table} (configuration changed?)`;
    await deadLetter(deps, message, new MalformedMessageError(reason, request), 'loader');
    return 'malformed';
  }
  const path = relativeName(identityOf(request.data).name, deps.topology.buckets.landing.prefix);
  const id = fileDocId(request.table, folderOf(path), request.batchKey);
  const laps = new Laps();
  const claim = await deps.store.update(id, (doc) => {
    const result = applyClaim(doc, request, { messageId: message.messageId, now: nowIso(deps), leaseMs: deps.leaseMs });
    return { doc: result.doc, write: result.decision === 'claimed', result };
  });
  const context = { table: request.table, batchKey: request.batchKey, attempt: request.attempt, messageId: message.messageId };
  if (claim.decision === 'busy') throw new TransientError(`${request.table}/${request.batchKey}: ${claim.reason}`, { table: request.table });
  if (claim.decision !== 'claimed') {
    deps.log('INFO', `request_${claim.decision}`, { ...context, reason: claim.reason });
    return claim.decision;
  }
  const claimNumber = claim.claimNumber!;
  const doc = claim.doc!;
  laps.lap('claim');
  deps.log('INFO', 'load_claimed', { ...context, loadId: claim.loadId, claimNumber, reason: claim.reason });
  let result: LoadResult;
  const now = deps.now ?? (() => new Date());
  const deadline = Date.parse(claim.doc!.claim!.claimedAt) + deps.topology.functions.loader.timeoutSeconds * 1000;
  const renewal = renewWhileLoading({ store: deps.store, log: deps.log, now, id, claimNumber, leaseMs: deps.leaseMs, deadline });
  try {
    const step = { ...deps, mapping: found.mapping, compressed: found.compressed, format: found.format, now: () => nowIso(deps), laps, commitBy: deadline };
    result = await runLoad(step, doc, request, claim.loadId!);
  } catch (error) {
    await renewal.stop();
    // A condition no retry changes (a destination someone else wrote, an unexpected exception): the round ends failed
    // where its files are.
    if (!isRetryable(error)) {
      const at = nowIso(deps);
      const message = error instanceof Error ? error.message : String(error);
      result = { status: 'failed', rows: 0, loadId: claim.loadId!, error: message, file: objectKey(identityOf(request.data)), finishedAt: at, moved: [] };
      return finish(deps, { id, path }, doc, request, claimNumber, result, laps);
    }
    await deps.store.update(id, (current) => {
      // A file the group commit handed back before any commit took it leaves the path untouched (claims.ts).
      const released = applyRelease(current, claimNumber, nowIso(deps), error instanceof HandedBack);
      return { doc: released, write: released !== current, result: undefined };
    });
    deps.log('WARNING', 'load_retry', { ...context, loadId: claim.loadId, error: String((error as Error)?.message ?? error) });
    throw error;
  }
  await renewal.stop();
  return finish(deps, { id, path }, doc, request, claimNumber, result, laps);
}

/**
 * Tells the round's end, then writes it. In that order, a crash anywhere leaves the claim in place: the redelivery
 * (or the sweep, once the lease is past) retakes it, finds the load done and tells it again, so the event is told at
 * least once, never lost behind a round already written finished. Consumers take a repeat (same load id) as no news.
 */
async function finish(deps: LoaderDeps, at: { id: string; path: string }, claimed: FileDoc, request: LoadRequest, claimNumber: number, result: LoadResult, laps: Laps) {
  const { id, path } = at;
  const event: LoadEvent = {
    v: 1,
    table: request.table,
    batchKey: request.batchKey,
    loadId: result.loadId,
    status: result.status,
    rows: result.rows,
    file: result.file,
    path,
    folder: folderOf(path),
    finishedAt: result.finishedAt,
  };
  const arrivedAt = claimed.current.data?.arrivedAt;
  if (arrivedAt) event.arrivedAt = arrivedAt;
  if (result.error !== null) event.error = result.error;
  await tellerOf(deps).tell(event);
  laps.lap('publish');
  const decision = await deps.store.update(id, (doc) => {
    const next = applyFinish(doc, claimNumber, result, nowIso(deps));
    return { doc: next.doc, write: next.owned, result: next };
  });
  laps.lap('finish');
  if (!decision.owned) {
    deps.log('WARNING', 'claim_lost', { table: request.table, batchKey: request.batchKey, loadId: result.loadId });
    return 'lost';
  }
  // `load_failed` (ERROR) is the line the failed-loads alert counts (terraform/monitoring.tf): once per failed load.
  deps.log(result.status === 'failed' ? 'ERROR' : 'INFO', `load_${result.status}`, {
    table: request.table,
    batchKey: request.batchKey,
    loadId: result.loadId,
    rows: result.rows,
    file: result.file,
    generation: request.data.generation,
    error: result.error,
    ms: laps.ms,
    // From the data file's arrival in landing to this round's end: the dashboard's arrival → commit latency.
    ...(arrivedAt ? { latencyMs: Date.parse(result.finishedAt) - Date.parse(arrivedAt) } : {}),
  });
  if (decision.next) await publishNext(deps, decision.next);
  return result.status;
}

/** Parts that arrived during the load make the next round; when it is complete, it is requested here. */
async function publishNext(deps: LoaderDeps, next: LoadRequest) {
  await deps.bus.publish(deps.topology.topics.loadRequests, Buffer.from(JSON.stringify(next)));
  deps.log('INFO', 'load_requested', { table: next.table, batchKey: next.batchKey, attempt: next.attempt, file: objectKey(identityOf(next.data)) });
}
