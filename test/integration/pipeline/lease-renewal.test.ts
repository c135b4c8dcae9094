// A claim's lease renewed while its load runs, on the Firestore emulator: renewals stop at the loader's timeout, and a
// load that ends after it still ends (its handler goes on to finish the round).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FirestoreStateStore } from '../../../lib/adapters/firestore/index.js';
import { applyArrival, applyClaim } from '../../../lib/pipeline/index.js';
import { renewWhileLoading } from '../../../lib/pipeline/lease-renewal.js';
import { NOW, SLOT, arrived, part, plain } from '../../unit/pipeline/helpers.js';
import { firestoreForTests } from './emulators.js';

const firestore = firestoreForTests('lease-renewal-test');

test('renewals stop at the deadline, and stopping after it returns: a load that ran past its timeout still finishes', async () => {
  const store = new FirestoreStateStore(firestore.client);
  const request = { v: 1 as const, table: 'raw_inst', batchKey: '1', data: part('inst_1.csv', '10'), attempt: 1 };
  const ready = applyArrival(undefined, arrived('data', request.data), plain, SLOT, NOW).doc;
  const claimed = applyClaim(ready, request, { messageId: 'm1', now: new Date().toISOString(), leaseMs: 300 }).doc!;
  await store.update('raw_inst~~1', () => ({ doc: claimed, write: true, result: undefined }));
  const leases: string[] = [];
  const deadline = Date.now() + 250;
  const renewal = renewWhileLoading({
    store,
    log: () => undefined,
    now: () => new Date(),
    id: 'raw_inst~~1',
    claimNumber: 1,
    leaseMs: 300,
    deadline,
  });
  const leaseNow = async () => (await store.get('raw_inst~~1'))?.claim?.leaseExpiresAt;
  // Renewed every 100 ms until the deadline, then no more: the lease stops moving.
  for (const until = Date.now() + 2000; Date.now() < until; ) {
    const lease = await leaseNow();
    if (lease && !leases.includes(lease)) leases.push(lease);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(leases.length >= 2, `renewed before the deadline (${leases.length} leases seen)`);
  const stopped = await Promise.race([renewal.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting'))]);
  assert.equal(stopped, 'stopped', 'stop() after the deadline returns');
  assert.ok(Date.parse(leases.at(-1)!) < deadline + 300, 'the last renewal came before the deadline');
});
