// End to end on the full local stack (emulators/stack.ts): upload with the storage client, wait for load events
// from the landfall-load-events-watch subscription, then query the DuckDB file the loader released.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { csv, startE2E, type E2E } from './harness.js';

let e2e: E2E;

before(async () => {
  e2e = await startE2E();
});

after(async () => {
  await e2e?.stop();
});

const upload = (name: string, text: string) => e2e.upload(name, text);
const eventFor = (table: string, batchKey: string, n?: number, timeoutMs?: number) => e2e.eventFor(table, batchKey, n, timeoutMs);
const query = (sql: string) => e2e.query(sql);

test('each mapping kind loads: plain, go file (properties), go file (csv), trailer', async () => {
  await upload('instruments_20240201.csv', csv('id,name', 4));
  await upload('trades_20240201.go', 'record_count=3\n');
  await upload('trades_20240201.csv', csv('id,qty', 3));
  await upload('positions_20240201.csv', csv('id,pos', 2));
  await upload('positions_20240201.ctl', 'positions_20240201.csv,2,SUCCESS\n');
  await upload('eod_prices_20240201.csv', `${csv('id,price', 5)}TRAILER,5,EOF\n`);
  const expected = { raw_instruments: 4, raw_trades: 3, raw_positions: 2, raw_eod_prices: 5 };
  for (const [table, rows] of Object.entries(expected)) {
    const event = await eventFor(table, '20240201');
    assert.equal(event.status, 'loaded', `${table}: ${event.error}`);
    assert.equal(event.rows, rows);
    const counted = await query(`select count(*)::int as n from ${table} where _load_id = '${event.loadId}'`);
    assert.equal(counted[0]?.n, rows);
  }
  assert.deepEqual(await e2e.names('landing'), []);
});

test('a bad file: failed bucket, .error.json, failed event, table untouched', async () => {
  await upload('trades_20240202.csv', csv('id,qty', 2));
  await upload('trades_20240202.go', 'record_count=7\n');
  const event = await eventFor('raw_trades', '20240202');
  assert.equal(event.status, 'failed');
  const failed = await e2e.names('failed', 'raw_trades/20240202/');
  assert.ok(failed.some((name) => name.endsWith('trades_20240202.csv.error.json')));
  const rows = await query(`select count(*)::int as n from raw_trades where _load_id = '${event.loadId}'`);
  assert.equal(rows[0]?.n, 0);
});

test('every notification delivered twice: rows once', async () => {
  await upload('instruments_20240203.csv', csv('id,name', 3));
  const event = await eventFor('raw_instruments', '20240203');
  const [archived] = await e2e.storage.bucket(e2e.stack.topology.buckets.archive.name).getFiles({ prefix: 'raw_instruments/20240203/' });
  const meta = archived[0]!.metadata.metadata as Record<string, string>;
  await e2e.publish(e2e.stack.topology.topics.arrivals, {
    data: Buffer.from('{}'),
    attributes: {
      eventType: 'OBJECT_FINALIZE',
      bucketId: meta['landfall-origin-bucket']!,
      objectId: meta['landfall-origin-name']!,
      objectGeneration: meta['landfall-origin-generation']!,
      payloadFormat: 'JSON_API_V1',
    },
  });
  // The second copy reaches the matcher, which sees a duplicate; nothing more is loaded.
  await e2e.logLine('matcher', ['"event":"arrival_duplicate"', '"batchKey":"20240203"']);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(e2e.eventsFor('raw_instruments', '20240203').length, 1);
  const rows = await query(`select count(*)::int as n from raw_instruments where _load_id = '${event.loadId}'`);
  assert.equal(rows[0]?.n, 3);
});

test('50 files uploaded at once: all loaded, metadata complete', async () => {
  const keys = Array.from({ length: 50 }, (_, i) => `2024030${String(i).padStart(2, '0')}`);
  await Promise.all(keys.map((k) => upload(`instruments_${k}.csv`, csv('id,name', 10))));
  for (const k of keys) assert.equal((await eventFor('raw_instruments', k, 1, 60_000)).status, 'loaded');
  const meta = await query(
    `select count(*)::int as n, sum(row_count)::int as rows from load_metadata where filename like 'instruments_2024030%' and status = 'loaded'`,
  );
  assert.deepEqual(meta[0], { n: 50, rows: 500 });
});

test('one name in two folders is two files: both load, neither replaces the other, each archived under its path', async () => {
  await upload('day1/instruments_eod.csv', csv('id,name', 3));
  await upload('day2/instruments_eod.csv', csv('id,name', 2));
  const day1 = await e2e.eventWhere((e) => e.path === 'day1/instruments_eod.csv', 'for day1/instruments_eod.csv');
  const day2 = await e2e.eventWhere((e) => e.path === 'day2/instruments_eod.csv', 'for day2/instruments_eod.csv');
  assert.deepEqual([day1.status, day1.rows, day1.folder, day2.status, day2.rows, day2.folder], ['loaded', 3, 'day1/', 'loaded', 2, 'day2/']);
  const meta = await query(`select path, filename, status, row_count::int as n from load_metadata where filename = 'instruments_eod.csv' order by path`);
  assert.deepEqual(meta, [
    { path: 'day1/instruments_eod.csv', filename: 'instruments_eod.csv', status: 'loaded', n: 3 },
    { path: 'day2/instruments_eod.csv', filename: 'instruments_eod.csv', status: 'loaded', n: 2 },
  ]);
  const rows = await query(`select count(*)::int as n from raw_instruments where _load_id in ('${day1.loadId}', '${day2.loadId}')`);
  assert.equal(rows[0]?.n, 5);
  const archived = await e2e.names('archive', 'raw_instruments/eod/');
  assert.equal(archived.filter((n) => n.endsWith('/day1/instruments_eod.csv')).length, 1);
  assert.equal(archived.filter((n) => n.endsWith('/day2/instruments_eod.csv')).length, 1);
  const status = JSON.parse((await e2e.cli(['status', '--json'])).stdout) as { files: { file: string; state: string }[] };
  const eod = status.files.filter((f) => f.file?.endsWith('/instruments_eod.csv')).map((f) => [f.file, f.state]);
  assert.deepEqual(eod.sort(), [['incoming/day1/instruments_eod.csv', 'loaded'], ['incoming/day2/instruments_eod.csv', 'loaded']]);
});

test('a go file pairs only with the data file in its own folder', async () => {
  await upload('a/trades_20240601.csv', csv('id,qty', 2));
  await e2e.logLine('matcher', ['"event":"arrival_waiting"', '"folder":"a/"', '"batchKey":"20240601"']);
  await upload('b/trades_20240601.go', 'record_count=2\n');
  await e2e.logLine('matcher', ['"event":"arrival_waiting"', '"folder":"b/"', '"batchKey":"20240601"']);
  await upload('a/trades_20240601.go', 'record_count=2\n');
  const event = await e2e.eventWhere((e) => e.path === 'a/trades_20240601.csv', 'for a/trades_20240601.csv');
  assert.deepEqual([event.status, event.rows], ['loaded', 2]);
  assert.equal(e2e.events.filter((e) => e.batchKey === '20240601').length, 1, 'b/ has a go file and no data file: nothing of it loads');
  const status = JSON.parse((await e2e.cli(['status', '--json'])).stdout) as { files: { goFile: string | null; state: string; waitingFor: string | null }[] };
  const b = status.files.find((f) => f.goFile === 'incoming/b/trades_20240601.go');
  assert.deepEqual([b?.state, b?.waitingFor], ['waiting', 'the data file']);
  assert.deepEqual(await e2e.names('landing', 'incoming/b/'), ['incoming/b/trades_20240601.go']);
});
