// The matcher use case: one GCS notification → the (table, folder, batch key) document, and a load request once complete.
import type { TableMapping } from '../config/mapping.js';
import type { Topology } from '../config/topology.js';
import { classify } from '../match/index.js';
import { applyArrival, type ArrivalOutcome, type Part } from './file-doc.js';
import { fileDocId, folderOf, relativeName, unmatchedDocId, type ObjectRef } from './ids.js';
import { Laps } from './laps.js';
import type { Logger } from './log.js';
import { parseArrival, type Arrival, type BusMessage } from './messages.js';
import { readOrigin } from './origin.js';
import type { Bus, ObjectStore, StateStore } from './ports.js';
import { deadLetter, guardMalformed } from './dead-letter.js';

export interface MatcherDeps {
  store: StateStore;
  bus: Bus;
  objects: ObjectStore;
  mappings: readonly TableMapping[];
  topology: Topology;
  log: Logger;
  now?: () => Date;
}

export type MatchResult = ArrivalOutcome | 'ignored' | 'unmatched' | 'malformed';

export async function handleArrival(deps: MatcherDeps, message: BusMessage): Promise<MatchResult> {
  const arrival = guardMalformed(() => parseArrival(message));
  if (arrival instanceof Error) {
    await deadLetter(deps, message, arrival, 'matcher');
    return 'malformed';
  }
  if (arrival.eventType !== 'OBJECT_FINALIZE') return ignore(deps, arrival, `event type ${arrival.eventType}`);
  const located = await locate(deps, arrival);
  if (located === undefined) return ignore(deps, arrival, 'outside the landing bucket and prefix');
  const found = classify(located.origin.name, deps.mappings);
  if (found === undefined) return recordUnmatched(deps, arrival);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const part: Part = { ...arrival.object, arrivedAt: located.landedAt ?? arrival.timeCreated ?? now };
  if (!sameRef(located.origin, arrival.object)) part.origin = located.origin;
  // Patterns match the base name; the folder keeps files of one name in two folders apart, and pairs a go file
  // only with the data file beside it.
  const slot = { folder: folderOf(relativeName(located.origin.name, deps.topology.buckets.landing.prefix)), batchKey: found.batchKey };
  const id = fileDocId(found.mapping.table, slot.folder, slot.batchKey);
  const arrived = { role: found.role, part, replay: arrival.replay, replayId: arrival.replayId };
  const laps = new Laps();
  const decision = await deps.store.update(id, (doc) => {
    const next = applyArrival(doc, arrived, found.mapping, slot, now);
    return { doc: next.doc, write: next.doc !== doc, result: next };
  }, { likelyNew: true });
  laps.lap('decide');
  deps.log('INFO', `arrival_${decision.outcome}`, {
    object: arrival.object,
    table: found.mapping.table,
    folder: slot.folder,
    batchKey: found.batchKey,
    role: found.role,
    replay: arrival.replay,
    state: decision.doc.state,
  });
  if (decision.request) await publishRequest(deps, decision.request, laps);
  return decision.outcome;
}

function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.bucket === b.bucket && a.name === b.name && a.generation === b.generation;
}

/** The identity an arrival stands for: itself in landing; for a replayed copy, the identity on its metadata. */
async function locate(deps: MatcherDeps, arrival: Arrival): Promise<{ origin: ObjectRef; landedAt: string | null } | undefined> {
  const landing = deps.topology.buckets.landing;
  const inLanding = arrival.object.bucket === landing.name && arrival.object.name.startsWith(landing.prefix);
  if (inLanding && !arrival.replay) return { origin: arrival.object, landedAt: null };
  if (!arrival.replay) return undefined;
  let origin = readOrigin(arrival.metadata);
  if (origin === undefined && !inLanding) {
    const info = await deps.objects.stat(arrival.object.bucket, arrival.object.name);
    if (info?.generation === arrival.object.generation) origin = readOrigin(info.metadata);
  }
  return origin ? { origin: origin.origin, landedAt: origin.landedAt } : { origin: arrival.object, landedAt: null };
}

function ignore(deps: MatcherDeps, arrival: Arrival, reason: string): MatchResult {
  deps.log('DEBUG', 'arrival_ignored', { object: arrival.object, reason });
  return 'ignored';
}

async function recordUnmatched(deps: MatcherDeps, arrival: Arrival): Promise<MatchResult> {
  const { bucket, name, generation } = arrival.object;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  await deps.store.recordUnmatched(unmatchedDocId(bucket, name), { bucket, name, generation, lastSeenAt: now });
  deps.log('WARNING', 'arrival_unmatched', {
    object: arrival.object,
    reason: 'no table mapping claims this file name; it stays in the landing bucket',
  });
  return 'unmatched';
}

/**
 * Publishes after the commit. Nothing records the publish: a crash before it leaves a ready round that the
 * redelivered arrival (or the sweep, past the lease) requests again, and a second request for a round is harmless.
 */
async function publishRequest(deps: MatcherDeps, request: NonNullable<ReturnType<typeof applyArrival>['request']>, laps: Laps) {
  const messageId = await deps.bus.publish(deps.topology.topics.loadRequests, Buffer.from(JSON.stringify(request)));
  laps.lap('publish');
  deps.log('INFO', 'load_requested', { table: request.table, batchKey: request.batchKey, attempt: request.attempt, messageId, ms: laps.ms });
}
