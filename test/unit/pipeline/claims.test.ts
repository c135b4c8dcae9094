import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyClaim, applyFinish, applyRelease, isFirstClaim } from '../../../lib/pipeline/claims.js';
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

test('a claim is the path\'s first while every one before it was given back untouched; a lapse or a touched release ends that', () => {
  const claimAgain = (doc: FileDoc, now: string) => applyClaim(doc, request, { ...ctx, messageId: `m-${now}`, now }).doc!;
  const first = applyClaim(ready, request, ctx).doc!;
  assert.equal(isFirstClaim(first), true);
  const handedBack = applyRelease(first, 1, NOW, true)!;
  assert.equal(handedBack.cleanReleases, 1);
  const second = claimAgain(handedBack, later(1000));
  assert.equal([second.claim?.number, isFirstClaim(second)].join(), '2,true', 'after an untouched release');
  const touched = claimAgain(applyRelease(second, 2, later(2000))!, later(3000));
  assert.equal([touched.claim?.number, isFirstClaim(touched)].join(), '3,false', 'after a release that may have committed');
  const lapsed = claimAgain(second, later(120_000));
  assert.equal([lapsed.claim?.number, isFirstClaim(lapsed)].join(), '3,false', 'after a lease that lapsed');
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
