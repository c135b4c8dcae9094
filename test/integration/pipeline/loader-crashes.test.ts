// A loader that dies at each step after its warehouse commit, on the real emulators and a real DuckDB: the redelivery
// ends the round as if nothing had happened.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileDocId } from '../../../lib/pipeline/index.js';
import { TransientError } from '../../../lib/errors.js';
import { ORIGIN_METADATA } from '../../../lib/pipeline/origin.js';
import { startHarness, trades, type Harness } from './in-process.js';

let h: Harness;
before(async () => {
  h = await startHarness('loader-crashes-test');
});
after(async () => {
  await h?.stop();
});

// A loader that dies at any step after its commit: the message is redelivered (the handler threw a TransientError
// here, which is what a dead process leaves behind: nothing of the first attempt survives but what it wrote; an
// unexpected exception would end the round failed instead). The round ends as if
// nothing had happened: loaded, with the committed load's id and rows, told in a load event, parts archived.
const CRASHES = {
  'after the warehouse commit': (arm: () => boolean) => {
    h.setLoad(async (request) => {
      const report = await h.realLoad(request);
      if (arm()) throw new TransientError('injected crash after commit');
      return report;
    });
  },
  // The go file is archived and gone from landing, the data file is copied but still in landing: the retake must
  // find the go file's archived copy, not take it for deleted and fail the file.
  'between the moves, the go file archived and the data file not yet': (arm: () => boolean) => {
    const objects = h.loader.objects;
    h.loader.objects = Object.assign(Object.create(objects) as typeof objects, {
      delete: async (ref: Parameters<typeof objects.delete>[0]) => {
        if (ref.bucket === h.topology.buckets.landing.name && ref.name.endsWith('.csv') && arm()) {
          // The two parts move at once: the crash comes once the go file's move is done.
          await h.waitFor('the go file archived', async () => (await objects.stat(ref.bucket, ref.name.replace(/\.csv$/, '.go'))) === undefined);
          throw new TransientError('injected crash between the moves');
        }
        return objects.delete(ref);
      },
    });
  },
  'after the moves, before the load event': (arm: () => boolean) => {
    const bus = h.loader.bus;
    h.loader.bus = {
      publish: (topic, data, attributes) => (topic === h.topology.topics.loadEvents && arm() ? Promise.reject(new TransientError('injected crash before the event')) : bus.publish(topic, data, attributes)),
    };
  },
  'after the finished round is written': (arm: () => boolean) => {
    const store = h.loader.store;
    h.loader.store = Object.assign(Object.create(store) as typeof store, {
      update: async <T>(id: string, decide: Parameters<typeof store.update<T>>[1]) => {
        let written: string | undefined;
        const result = await store.update<T>(id, (doc) => {
          const step = decide(doc);
          written = step.write ? step.doc?.state : undefined;
          return step;
        });
        if (written === 'loaded' && arm()) throw new TransientError('injected crash after the finish');
        return result;
      },
    });
  },
};

for (const [i, [when, inject]] of Object.entries(CRASHES).entries()) {
  test(`a loader crash ${when}: the redelivery ends the round loaded with the committed load, told in its event`, async () => {
    const key = `2024011${i}`;
    let crashes = 0;
    const [bus, store, objects] = [h.loader.bus, h.loader.store, h.loader.objects];
    inject(() => crashes++ === 0);
    try {
      await h.upload(`trades_${key}.go`, 'record_count=3\n');
      await h.waitFor('waiting document', async () => (await h.store.get(fileDocId('raw_trades', '', key)))?.state === 'waiting');
      await h.upload(`trades_${key}.csv`, trades(3));
      await h.waitFor('the round finished', async () => ['loaded', 'failed'].includes((await h.store.get(fileDocId('raw_trades', '', key)))?.state ?? ''));
      assert.equal(crashes > 0, true, 'the crash point was reached');
      const event = await h.waitFor('the load event', h.eventFor('raw_trades', key));
      const committed = await h.query(`select load_id, row_count::int as n from load_metadata where path = 'trades_${key}.csv' and status = 'loaded'`);
      assert.equal(committed.length, 1, 'one committed load');
      const loadId = committed[0]!.load_id;
      for (const e of h.events.filter((x) => x.table === 'raw_trades' && x.batchKey === key)) {
        assert.deepEqual([e.status, e.loadId, e.rows], ['loaded', loadId, 3], 'every event of the round tells the committed load');
      }
      assert.equal(event.path, `trades_${key}.csv`);
      const doc = await h.store.get(fileDocId('raw_trades', '', key));
      assert.deepEqual([doc?.state, doc?.result?.status, doc?.result?.loadId, doc?.result?.rows], ['loaded', 'loaded', loadId, 3]);
      const rows = await h.query(`select count(*)::int as n from raw_trades where _load_id = '${loadId}'`);
      assert.equal(rows[0]?.n, 3);
      const archived = await h.objects.list('landfall-archive', `raw_trades/${key}/`);
      assert.equal(archived.length, 2, 'data and go file archived');
      if (when.startsWith('between the moves')) {
        // Both copies were made by the first claim, whose load is the committed one: the retake looked and kept them.
        assert.deepEqual(archived.map((o) => o.metadata[ORIGIN_METADATA.loadId]), [loadId, loadId], 'the retake copied over an archived part');
      }
      assert.deepEqual(await h.names('landfall-landing'), []);
      assert.deepEqual(await h.objects.list('landfall-failed', `raw_trades/${key}/`), [], 'nothing of a loaded round in the failed bucket');
    } finally {
      h.setLoad(h.realLoad);
      Object.assign(h.loader, { bus, store, objects });
    }
  });
}
