import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyClaim, applyFinish, applyRelease } from '../../../lib/pipeline/claims.js';
import { applyArrival, type FileDoc } from '../../../lib/pipeline/file-doc.js';
import type { LoadRequest } from '../../../lib/pipeline/messages.js';
import { NOW, SLOT, arrived, part, plain } from './helpers.js';

const data = part('inst_1.csv', '10');
const request: LoadRequest = { v: 1, table: 'raw_inst', batchKey: '1', data, attempt: 1 };
const ready: FileDoc = applyArrival(undefined, arrived('data', data), plain, SLOT, NOW).doc;
const ctx = { messageId: 'm1', now: NOW, leaseMs: 60_000 };
const later = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

test('a ready round is claimed with a lease and a derived load id', () => {
  const claim = applyClaim(ready, request, ctx);
  assert.equal(claim.decision, 'claimed');
  assert.equal(claim.doc?.state, 'loading');
  assert.equal(claim.doc?.claim?.leaseExpiresAt, later(60_000));
  assert.equal(claim.claimNumber, 1);
  assert.equal(claim.loadId, applyClaim(ready, request, ctx).loadId);
});

test('a second message while the lease is live is busy; after the lease, or from the same message, it retakes', () => {
  const loading = applyClaim(ready, request, ctx).doc!;
  assert.equal(applyClaim(loading, request, { ...ctx, messageId: 'm2' }).decision, 'busy');
  const sameMessage = applyClaim(loading, request, { ...ctx, now: later(1000) });
  assert.equal(sameMessage.decision, 'claimed');
  assert.equal(sameMessage.claimNumber, 2);
  assert.notEqual(sameMessage.loadId, applyClaim(ready, request, ctx).loadId);
  assert.equal(applyClaim(loading, request, { ...ctx, messageId: 'm2', now: later(60_000) }).decision, 'claimed');
});

test('requests for another round are stale; ended rounds are done; missing documents are stale', () => {
  assert.equal(applyClaim(ready, { ...request, attempt: 2 }, ctx).decision, 'stale');
  assert.equal(applyClaim(undefined, request, ctx).decision, 'stale');
  const loading = applyClaim(ready, request, ctx);
  const result = { status: 'loaded' as const, rows: 1, loadId: loading.loadId!, error: null, file: 'f', finishedAt: NOW, moved: [] };
  const loaded = applyFinish(loading.doc, 1, result, NOW).doc!;
  assert.equal(applyClaim(loaded, request, ctx).decision, 'done');
});

test('release gives the claim back only to its owner', () => {
  const loading = applyClaim(ready, request, ctx).doc!;
  assert.equal(applyRelease(loading, 1, NOW)?.state, 'ready');
  assert.equal(applyRelease(loading, 2, NOW), loading);
});

test('finish by a claimant that lost its claim writes nothing', () => {
  const first = applyClaim(ready, request, ctx).doc!;
  const retaken = applyClaim(first, request, { ...ctx, messageId: 'm2', now: later(61_000) }).doc!;
  const result = { status: 'failed' as const, rows: 0, loadId: 'x', error: 'bad', file: 'f', finishedAt: NOW, moved: [] };
  assert.equal(applyFinish(retaken, 1, result, NOW).owned, false);
  const done = applyFinish(retaken, 2, result, NOW);
  assert.equal(done.owned, true);
  assert.equal(done.doc?.state, 'failed');
  assert.equal(done.doc?.result?.error, 'bad');
});
