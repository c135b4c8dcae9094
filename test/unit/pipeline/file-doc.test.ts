import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyArrival, type FileDoc } from '../../../lib/pipeline/file-doc.js';
import { applyClaim, applyFinish } from '../../../lib/pipeline/claims.js';
import { NOW, SLOT, arrived, part, plain, withGo } from './helpers.js';

const data1 = part('trades_1.csv', '10');
const go1 = part('trades_1.go', '11');

function finished(doc: FileDoc, status: 'loaded' | 'failed' = 'loaded'): FileDoc {
  const claim = applyClaim(doc, { v: 1, table: doc.table, batchKey: doc.batchKey, data: data1, attempt: doc.round }, { messageId: 'm', now: NOW, leaseMs: 1000 });
  const result = { status, rows: 1, loadId: claim.loadId!, error: null, file: 'f', finishedAt: NOW, moved: [] };
  return applyFinish(claim.doc, claim.claimNumber!, result, NOW).doc!;
}

test('a data file without go file is ready at once and requested once', () => {
  const d = applyArrival(undefined, arrived('data', part('inst_1.csv', '5')), plain, SLOT, NOW);
  assert.equal(d.outcome, 'ready');
  assert.equal(d.doc.state, 'ready');
  assert.equal(d.doc.round, 1);
  assert.deepEqual(d.request, { v: 1, table: 'raw_inst', batchKey: '1', data: { bucket: 'landing', name: 'incoming/inst_1.csv', generation: '5' }, attempt: 1 });
});

test('go file after data, and go file before data, both end ready with one request', () => {
  for (const order of [['data', 'go'], ['go', 'data']] as const) {
    const first = applyArrival(undefined, arrived(order[0], order[0] === 'data' ? data1 : go1), withGo, SLOT, NOW);
    assert.equal(first.outcome, 'waiting');
    assert.equal(first.request, undefined);
    const second = applyArrival(first.doc, arrived(order[1], order[1] === 'data' ? data1 : go1), withGo, SLOT, NOW);
    assert.equal(second.outcome, 'ready');
    assert.equal(second.request?.go?.name, 'incoming/trades_1.go');
    assert.equal(second.request?.data.name, 'incoming/trades_1.csv');
  }
});

test('a duplicate notification changes nothing, in every state', () => {
  const waiting = applyArrival(undefined, arrived('data', data1), withGo, SLOT, NOW).doc;
  const ready = applyArrival(waiting, arrived('go', go1), withGo, SLOT, NOW).doc;
  const loading = applyClaim(ready, { v: 1, table: 'raw_trades', batchKey: '1', data: data1, attempt: 1 }, { messageId: 'm', now: NOW, leaseMs: 1000 }).doc!;
  const loaded = finished(ready);
  for (const doc of [waiting, loading, loaded]) {
    const again = applyArrival(doc, arrived('data', data1), withGo, SLOT, NOW);
    assert.equal(again.outcome, 'duplicate', doc.state);
    assert.equal(again.doc, doc);
    assert.equal(again.request, undefined);
  }
});

test('a duplicate arrival of a round not yet claimed publishes its request again, and changes nothing else', () => {
  // The matcher may have died between its commit and its publish: only a second request is sure to reach the loader.
  const ready = applyArrival(applyArrival(undefined, arrived('data', data1), withGo, SLOT, NOW).doc, arrived('go', go1), withGo, SLOT, NOW).doc;
  for (const role of ['data', 'go'] as const) {
    const again = applyArrival(ready, arrived(role, role === 'data' ? data1 : go1), withGo, SLOT, NOW);
    assert.equal(again.outcome, 'duplicate');
    assert.equal(again.doc, ready);
    assert.equal(again.request?.attempt, 1);
  }
});

test('a new generation after the load is a correction: a new round, which waits for a new go file', () => {
  const loaded = finished(applyArrival(applyArrival(undefined, arrived('data', data1), withGo, SLOT, NOW).doc, arrived('go', go1), withGo, SLOT, NOW).doc);
  const corrected = applyArrival(loaded, arrived('data', part('trades_1.csv', '20')), withGo, SLOT, NOW);
  assert.equal(corrected.outcome, 'waiting');
  assert.equal(corrected.doc.round, 2);
  const complete = applyArrival(corrected.doc, arrived('go', part('trades_1.go', '21')), withGo, SLOT, NOW);
  assert.equal(complete.request?.attempt, 2);
  assert.equal(complete.request?.replay, undefined);
});

test('a late duplicate of an older generation is stale', () => {
  const doc = applyArrival(undefined, arrived('data', part('inst_1.csv', '20')), plain, SLOT, NOW).doc;
  assert.equal(applyArrival(doc, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW).outcome, 'stale');
});

test('after a round ended superseded, an older generation starts a round: it may be the one live in landing', () => {
  // Seen on fake-gcs-server with two uploads of one name at once: the live object got the lower generation, the
  // claimed higher one was found replaced, and a "stale" verdict left the live one in landing for good.
  const doc: FileDoc = { ...applyArrival(undefined, arrived('data', part('inst_1.csv', '20')), plain, SLOT, NOW).doc, state: 'superseded' };
  const next = applyArrival(doc, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW);
  assert.equal(next.outcome, 'ready');
  assert.equal(next.request?.data.generation, '10');
});

test('a newer generation before the claim supersedes the request with a new round', () => {
  const doc = applyArrival(undefined, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW).doc;
  const next = applyArrival(doc, arrived('data', part('inst_1.csv', '20')), plain, SLOT, NOW);
  assert.equal(next.outcome, 'ready');
  assert.equal(next.request?.attempt, 2);
  assert.equal(next.request?.data.generation, '20');
});

test('an arrival during a load is queued and becomes the next round when the load ends', () => {
  const doc = applyArrival(undefined, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW).doc;
  const claim = applyClaim(doc, { v: 1, table: 'raw_inst', batchKey: '1', data: part('inst_1.csv', '10'), attempt: 1 }, { messageId: 'm', now: NOW, leaseMs: 1000 });
  const queued = applyArrival(claim.doc, arrived('data', part('inst_1.csv', '20')), plain, SLOT, NOW);
  assert.equal(queued.outcome, 'queued');
  assert.equal(queued.doc.state, 'loading');
  const result = { status: 'loaded' as const, rows: 3, loadId: claim.loadId!, error: null, file: 'f', finishedAt: NOW, moved: [] };
  const end = applyFinish(queued.doc, claim.claimNumber!, result, NOW);
  assert.equal(end.doc?.state, 'ready');
  assert.equal(end.doc?.history[0]?.rows, 3);
  assert.equal(end.next?.attempt, 2);
  assert.equal(end.next?.data.generation, '20');
});

test('a replay of a loaded file starts a forced round once per replay id', () => {
  const loaded = finished(applyArrival(undefined, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW).doc);
  const archived = part('inst_1.csv', '99', { bucket: 'archive', name: 'raw_inst/1/10/inst_1.csv', origin: { bucket: 'landing', name: 'incoming/inst_1.csv', generation: '10' } });
  const replay = applyArrival(loaded, arrived('data', archived, 'r1'), plain, SLOT, NOW);
  assert.equal(replay.outcome, 'ready');
  assert.equal(replay.request?.replay, true);
  assert.equal(replay.request?.data.origin?.generation, '10');
  const again = applyArrival(replay.doc, arrived('data', archived, 'r1'), plain, SLOT, NOW);
  assert.equal(again.outcome, 'duplicate');
  const reloaded = finished(replay.doc);
  assert.equal(applyArrival(reloaded, arrived('data', archived, 'r1'), plain, SLOT, NOW).outcome, 'duplicate');
  assert.equal(applyArrival(reloaded, arrived('data', archived, 'r2'), plain, SLOT, NOW).outcome, 'ready');
});

test('after a failure a corrected file starts a new round', () => {
  const failed = finished(applyArrival(undefined, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW).doc, 'failed');
  assert.equal(failed.state, 'failed');
  assert.equal(applyArrival(failed, arrived('data', part('inst_1.csv', '11')), plain, SLOT, NOW).outcome, 'ready');
});
