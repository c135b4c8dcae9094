// The dbt trigger in a burst of one batch key on the Firestore emulator: the key's state document takes at most one
// write in any second (Firestore sustains about one per document), however many handlers and events, and the burst
// still ends as the trigger promises: every member's newest load recorded, the failed file holding the batch back,
// and dbt run once when the key completes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { measureTriggerBurst } from '../../../bench/trigger-burst.js';
import { firestoreForTests } from '../pipeline/emulators.js';

const firestore = firestoreForTests('trigger-burst');

describe('dbt trigger in a burst of one batch key', () => {
  it('writes the key state at most once a second, loses no event, sees the failed file, and runs dbt once at completion', async (t) => {
    const burst = await measureTriggerBurst({ firestore: firestore.client, events: 100, handlers: 20 });
    t.diagnostic(`${burst.events} events in ${burst.elapsedMs} ms; ${burst.busiestDoc.writes} writes of the key, ${burst.transactionsRetried} refused commits`);
    const { busiestDoc } = burst;
    assert.ok(
      burst.writesPerSecondBusiestDoc <= 1,
      `${busiestDoc.path} took ${busiestDoc.peakPerSecond} writes in one second (${busiestDoc.writes} in all, ${burst.transactionsRetried} refused commits)`,
    );
    const members = burst.state?.members ?? {};
    assert.equal(members.raw_a?.loadId, burst.latest.raw_a?.loadId, 'the newest raw_a load is recorded');
    assert.equal(members.raw_b?.loadId, burst.latest.raw_b?.loadId, 'the newest raw_b load is recorded');
    assert.equal(members.raw_c?.status, 'failed', 'the failed file holds the batch back');
    assert.equal(members.raw_c?.error, burst.latest.failed?.error);
    assert.equal(burst.runs.length, 0, 'dbt must not run while a member failed');

    // raw_c loads after all: the key is complete, and dbt runs once for it.
    const fixed = { ...burst.latest.failed!, loadId: randomUUID(), status: 'loaded' as const, rows: 10, finishedAt: new Date().toISOString() };
    delete fixed.error;
    await burst.handle(fixed);
    assert.deepEqual(burst.runs.map((r) => [r.batch, r.batchKey]), [['burst', '20261201']]);
  });

  it('takes messages that carry many files\' events the same way, one write a second', async () => {
    const burst = await measureTriggerBurst({ firestore: firestore.client, events: 200, handlers: 5, eventsPerMessage: 20 });
    assert.ok(burst.writesPerSecondBusiestDoc <= 1, `${burst.busiestDoc.path} took ${burst.busiestDoc.peakPerSecond} writes in one second`);
    assert.ok(burst.filedEventMaxWrites <= 2, `a filed event took ${burst.filedEventMaxWrites} writes: filed once, deleted once`);
    const members = burst.state?.members ?? {};
    assert.deepEqual(
      [members.raw_a?.loadId, members.raw_b?.loadId, members.raw_c?.status],
      [burst.latest.raw_a?.loadId, burst.latest.raw_b?.loadId, 'failed'],
    );
    assert.equal(burst.runs.length, 0);
  });
});
