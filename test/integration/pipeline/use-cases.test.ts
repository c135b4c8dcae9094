// Matcher and loader use cases on the real emulators and a real DuckDB: arrivals, go files, duplicates, bad files,
// replay, malformed messages and unmatched objects (a loader's crashes: loader-crashes.test.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ARRIVAL_ATTRIBUTES, DEAD_LETTER_ATTRIBUTES, fileDocId, handleArrival, handleLoadRequest } from '../../../lib/pipeline/index.js';
import { startHarness, trades, type Harness } from './in-process.js';

let h: Harness;
before(async () => {
  h = await startHarness('use-cases-test');
});
after(async () => {
  await h?.stop();
});

test('go file first, then data: loaded once, both files archived together, event published', async () => {
  await h.upload('trades_20240101.go', 'record_count=3\n');
  await h.waitFor('waiting document', async () => (await h.store.get(fileDocId('raw_trades', '', '20240101')))?.state === 'waiting');
  await h.upload('trades_20240101.csv', trades(3));
  const event = await h.waitFor('loaded event', h.eventFor('raw_trades', '20240101'));
  assert.equal(event.status, 'loaded');
  assert.equal(event.rows, 3);
  assert.ok(event.arrivedAt && event.finishedAt);
  const rows = await h.query(`select count(*)::int as n from raw_trades`);
  assert.equal(rows[0]?.n, 3);
  const archived = (await h.names('landfall-archive')).filter((n) => n.startsWith('raw_trades/20240101/'));
  assert.equal(archived.length, 2);
  assert.deepEqual(await h.names('landfall-landing'), []);
  const meta = (await h.objects.list('landfall-archive', 'raw_trades/20240101/')).find((o) => o.name.endsWith('.csv'))!;
  assert.equal(meta.metadata['landfall-origin-name'], 'incoming/trades_20240101.csv');
  assert.equal(meta.metadata['landfall-load-id'], event.loadId);
  const doc = await h.store.get(fileDocId('raw_trades', '', '20240101'));
  assert.equal(doc?.state, 'loaded');
  assert.equal(doc?.result?.rows, 3);
});

test('every notification delivered twice: rows once, one event', async () => {
  const data = 'id,name\n1,a\n2,b\n';
  await h.upload('instruments_20240102.csv', data);
  const event = await h.waitFor('loaded event', h.eventFor('raw_instruments', '20240102'));
  const [file] = await h.objects.list('landfall-archive', 'raw_instruments/20240102/');
  const origin = file!.metadata;
  await h.bus.publish(h.topology.topics.arrivals, Buffer.from(JSON.stringify({ name: origin['landfall-origin-name'], bucket: 'landfall-landing' })), {
    eventType: 'OBJECT_FINALIZE',
    bucketId: 'landfall-landing',
    objectId: origin['landfall-origin-name']!,
    objectGeneration: origin['landfall-origin-generation']!,
    payloadFormat: 'JSON_API_V1',
  });
  // The second copy is handled (a duplicate, nothing requested); only then is the count worth reading.
  const docBefore = await h.store.get(fileDocId('raw_instruments', '', '20240102'));
  await h.waitFor('the duplicate handled', () => h.logs.find((l) => l.event === 'arrival_duplicate' && l.fields.batchKey === '20240102'));
  const docAfter = await h.store.get(fileDocId('raw_instruments', '', '20240102'));
  assert.deepEqual([docAfter?.state, docAfter?.round], [docBefore?.state, docBefore?.round], 'no new round: no new load request');
  assert.equal(h.events.filter((e) => e.table === 'raw_instruments' && e.batchKey === '20240102').length, 1);
  const rows = await h.query(`select count(*)::int as n from raw_instruments where _load_id = '${event.loadId}'`);
  assert.equal(rows[0]?.n, 2);
});

test('a bad file: failed bucket with .error.json, failed event, table untouched', async () => {
  const before = await h.query(`select count(*)::int as n from raw_trades`);
  await h.upload('trades_20240103.csv', trades(2));
  await h.upload('trades_20240103.go', 'record_count=5\n');
  const event = await h.waitFor('failed event', h.eventFor('raw_trades', '20240103'));
  assert.equal(event.status, 'failed');
  assert.match(event.error ?? '', /5/);
  const failed = await h.names('landfall-failed');
  const prefix = failed.find((n) => n.endsWith('trades_20240103.csv'))!;
  assert.ok(failed.includes(`${prefix}.error.json`));
  assert.ok(failed.some((n) => n.endsWith('trades_20240103.go')));
  const sidecar = JSON.parse(await h.objects.readText((await h.objects.stat('landfall-failed', `${prefix}.error.json`))!));
  assert.equal(sidecar.error, event.error);
  assert.deepEqual(await h.query(`select count(*)::int as n from raw_trades`), before);
  assert.equal((await h.store.get(fileDocId('raw_trades', '', '20240103')))?.state, 'failed');
});

test('a replay of an archived file replaces its rows instead of adding to them', async () => {
  await h.upload('instruments_20240105.csv', 'id,name\n1,a\n2,b\n');
  await h.waitFor('first load', h.eventFor('raw_instruments', '20240105'));
  const [archived] = await h.objects.list('landfall-archive', 'raw_instruments/20240105/');
  await h.bus.publish(
    h.topology.topics.arrivals,
    Buffer.from(JSON.stringify({ bucket: archived!.bucket, name: archived!.name, generation: archived!.generation, metadata: archived!.metadata })),
    {
      eventType: 'OBJECT_FINALIZE',
      bucketId: archived!.bucket,
      objectId: archived!.name,
      objectGeneration: archived!.generation,
      payloadFormat: 'JSON_API_V1',
      [ARRIVAL_ATTRIBUTES.replay]: 'true',
      [ARRIVAL_ATTRIBUTES.replayId]: 'replay-1',
    },
  );
  const second = await h.waitFor('replay load', h.eventFor('raw_instruments', '20240105', 2));
  assert.equal(second.status, 'loaded');
  const rows = await h.query(
    `select count(*)::int as n from raw_instruments where _load_id in (select load_id from load_metadata where filename = 'instruments_20240105.csv' and status = 'loaded')`,
  );
  assert.equal(rows[0]?.n, 2);
  assert.equal((await h.objects.list('landfall-archive', 'raw_instruments/20240105/')).length, 1);
});

test('a malformed arrival goes to the dead-letter topic with its reason, and is not retried', async () => {
  await h.bus.publish(h.topology.topics.arrivals, Buffer.from('{}'), { eventType: 'OBJECT_FINALIZE', bucketId: 'landfall-landing' });
  const dead = await h.waitFor('dead letter', () => h.deadLetters.find((d) => d.attributes[DEAD_LETTER_ATTRIBUTES.source] === 'matcher'));
  assert.match(dead.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '', /objectId/);
  await h.bus.publish(h.topology.topics.loadRequests, Buffer.from('{"v":9}'));
  const deadRequest = await h.waitFor('dead request', () => h.deadLetters.find((d) => d.attributes[DEAD_LETTER_ATTRIBUTES.source] === 'loader'));
  assert.match(deadRequest.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '', /version/);
});

test('an object no mapping claims is recorded as unmatched and left in place', async () => {
  await h.upload('notes.txt', 'hello');
  const record = await h.waitFor('unmatched record', async () => (await h.store.listUnmatched()).find((u) => u.name === 'incoming/notes.txt'));
  assert.equal(record.bucket, 'landfall-landing');
  assert.ok(await h.objects.stat('landfall-landing', 'incoming/notes.txt'));
});

test('a generation replaced before its load ran is superseded: logged at INFO, no failed event, no failed row; the new one loads', async () => {
  const target = 'incoming/instruments_20240106.csv';
  const real = h.loader.objects;
  let replaced = false;
  // Fault injection around the real object store: the correction lands after the claim, before the loader looks.
  h.loader.objects = Object.create(real, {
    stat: {
      value: async (bucket: string, name: string) => {
        if (name === target && !replaced) {
          replaced = true;
          await h.upload('instruments_20240106.csv', 'id,name\n9,new\n');
        }
        return real.stat(bucket, name);
      },
    },
  });
  try {
    await h.upload('instruments_20240106.csv', 'id,name\n1,old\n2,old\n');
    const superseded = await h.waitFor('superseded event', h.eventFor('raw_instruments', '20240106'));
    const loaded = await h.waitFor('the correction loaded', h.eventFor('raw_instruments', '20240106', 2));
    assert.deepEqual([superseded.status, superseded.rows], ['superseded', 0]);
    assert.match(superseded.error ?? '', /was replaced by generation \d+ before it could be loaded/);
    assert.deepEqual([loaded.status, loaded.rows], ['loaded', 1]);
  } finally {
    h.loader.objects = real;
  }
  const line = h.logs.find((l) => l.event === 'load_superseded' && l.fields.batchKey === '20240106');
  assert.equal(line?.severity, 'INFO');
  assert.ok(!h.logs.some((l) => l.event === 'load_failed' && l.fields.batchKey === '20240106'), 'the failed-loads alert counts load_failed lines');
  const meta = await h.query(`select status, row_count::int as n from load_metadata where filename = 'instruments_20240106.csv'`);
  assert.deepEqual(meta, [{ status: 'loaded', n: 1 }]);
});

test('a load request without a message id is dead-lettered as malformed: two such messages could both hold one claim', async () => {
  const request = { v: 1, table: 'raw_instruments', batchKey: '1', data: { bucket: 'landfall-landing', name: 'incoming/instruments_1.csv', generation: '1' }, attempt: 1 };
  const result = await handleLoadRequest(h.loader, { data: Buffer.from(JSON.stringify(request)), attributes: {}, messageId: '', publishTime: null });
  assert.equal(result, 'malformed');
  const dead = await h.waitFor('dead letter', () => h.deadLetters.find((d) => /no messageId/.test(d.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '')));
  assert.equal(dead.attributes[DEAD_LETTER_ATTRIBUTES.source], 'loader');
  const arrival = await handleArrival(h.matcher, { data: Buffer.from('{}'), attributes: { eventType: 'OBJECT_FINALIZE' }, messageId: '', publishTime: null });
  assert.equal(arrival, 'malformed');
});
