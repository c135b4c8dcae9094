// Riding out an outage, on the real emulators: a dead-lettered request is re-driven the minute the sweep sees it, and a
// load that outlasts its lease keeps its claim (renewed while it runs), so nothing takes it from a live loader.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FirestoreBatchStore } from '../../../lib/adapters/dbt/firestore-batch-store.js';
import { fileDocId, type Severity } from '../../../lib/pipeline/index.js';
import { runSweep, type SweepDeps } from '../../../lib/sweep/index.js';
import { startHarness, type Harness } from './in-process.js';

let h: Harness;
const sweepLogs: { severity: Severity; event: string; fields: Record<string, unknown> }[] = [];

function sweep(dryRun = false) {
  const deps: SweepDeps = {
    store: h.store,
    batchStore: new FirestoreBatchStore(h.firestore),
    bus: h.bus,
    objects: h.objects,
    mappings: h.matcher.mappings,
    batches: [],
    topology: h.topology,
    log: (severity, event, fields = {}) => void sweepLogs.push({ severity, event, fields }),
  };
  return runSweep(deps, { dryRun });
}

before(async () => {
  h = await startHarness('outage-test');
});
after(async () => {
  await h?.stop();
});

test('a request Pub/Sub dead-lettered is back on its topic at the next sweep, with the reason, and loads once', async () => {
  // A subscription that refuses every delivery, as a loader down past the retry window does: the emulator counts the
  // attempts and dead-letters the request with Pub/Sub's attributes. The harness's own loader drops it meanwhile.
  const [refusing] = await h.pubsub.topic(h.topology.topics.loadRequests).createSubscription('refusing-loader', {
    ackDeadlineSeconds: 10,
    deadLetterPolicy: { deadLetterTopic: h.pubsub.topic(h.topology.topics.deadLetter).name, maxDeliveryAttempts: 5 },
    retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
  });
  refusing.on('message', (m) => m.nack());
  h.drop.loadRequests = true;
  await h.upload('instruments_20250401.csv', 'id,name\n1,a\n2,b\n');
  await h.waitFor('the request dead-lettered', () => h.deadLetters.find((d) => d.data.includes('20250401')), 60_000);
  await refusing.close();
  await refusing.delete();
  h.drop.loadRequests = false;

  const outcome = await sweep();
  assert.equal(outcome.deadLetters.redriven, 1);
  const line = sweepLogs.find((l) => l.event === 'sweep_dead_letter_redriven');
  assert.equal(line?.fields.table, 'raw_instruments');
  assert.match(String(line?.fields.reason), /^dead-lettered by refusing-loader after 5 delivery attempts$/);
  const event = await h.waitFor('the load', () => h.events.find((e) => e.batchKey === '20250401'));
  assert.deepEqual([event.status, event.rows], ['loaded', 2]);
  assert.equal((await sweep()).deadLetters.redriven, 0, 'taken once');
});

test('a load that outlasts its lease keeps the claim while it runs: no sweep plans it, and it ends loaded', async () => {
  h.loader.leaseMs = 1_500;
  // The real engine, slowed down (fault injection around it): the load takes four leases.
  h.setLoad(async (request) => {
    await sleep(6_000);
    return h.realLoad(request);
  });
  try {
    await h.upload('instruments_20250402.csv', 'id,name\n1,a\n');
    const id = fileDocId('raw_instruments', '', '20250402');
    await h.waitFor('the claim', async () => (await h.store.get(id))?.state === 'loading');
    let looked = 0;
    for (let doc = await h.store.get(id); doc?.state === 'loading'; doc = await h.store.get(id)) {
      assert.ok(Date.parse(doc.claim!.leaseExpiresAt) > Date.now(), `the lease (${doc.claim!.leaseExpiresAt}) is kept ahead of now`);
      const { plan } = await sweep(true);
      assert.ok(!plan.redrive.some((r) => r.id === id), 'the sweep plans no re-drive of a live loader’s file');
      looked++;
      await sleep(400);
    }
    assert.ok(looked >= 8, `looked ${looked} times during the load`);
    const event = await h.waitFor('the load', () => h.events.find((e) => e.batchKey === '20250402'));
    assert.equal(event.status, 'loaded');
    assert.ok(!h.logs.some((l) => l.event === 'claim_lost'));
  } finally {
    h.setLoad(h.realLoad);
    h.loader.leaseMs = 30_000;
  }
});
