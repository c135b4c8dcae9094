// End to end under faults: the loader SIGKILLed mid-load, and each emulator restarted while the stack runs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { csv, startE2E, type E2E } from './harness.js';

let e2e: E2E;

before(async () => {
  e2e = await startE2E();
});

after(async () => {
  await e2e?.stop();
});

async function count(sql: string): Promise<number> {
  const rows = await e2e.query(sql);
  return Number(rows[0]?.n ?? 0);
}

async function tableRows(table: string): Promise<number> {
  if (!existsSync(e2e.dbPath)) return 0;
  const exists = await count(`select count(*)::int as n from information_schema.tables where table_name = '${table}'`);
  return exists === 0 ? 0 : count(`select count(*)::int as n from ${table}`);
}

test('loader SIGKILLed mid-load: after redelivery the rows are there once, data and go file archived', async () => {
  const key = '20240501';
  // Big enough that its download and load take seconds here: the kill, the moment the claim is logged, lands inside them.
  const rows = 2_000_000;
  const before = await tableRows('raw_trades');
  await e2e.upload(`trades_${key}.go`, `record_count=${rows}\n`);
  await e2e.logLine('matcher', ['"event":"arrival_waiting"', `"batchKey":"${key}"`]);
  const loaderLog = await e2e.logSize('loader');
  await e2e.upload(`trades_${key}.csv`, csv('id,qty', rows));
  // The claim is taken before the download and the DuckDB load: killing right after it is killing mid-load.
  await e2e.logLine('loader', ['"event":"load_claimed"', `"batchKey":"${key}"`], 30_000, loaderLog);
  e2e.stack.kill('loader', 'SIGKILL');
  const logged = (await readFile(e2e.stack.logPath('loader'), 'utf8')).slice(loaderLog);
  assert.ok(!/"event":"load_(loaded|skipped)"/.test(logged), 'the load had not finished when the loader was killed');
  await e2e.stack.restart('loader');

  const event = await e2e.eventFor('raw_trades', key, 1, 90_000);
  assert.equal((await tableRows('raw_trades')) - before, rows, 'rows exactly once');
  const meta = await e2e.query(`select load_id, status, row_count::int as n from load_metadata where filename = 'trades_${key}.csv'`);
  assert.deepEqual(meta, [{ load_id: event.loadId, status: 'loaded', n: rows }]);
  assert.deepEqual([event.status, event.rows], ['loaded', rows], `the event tells the committed load: ${event.error ?? ''}`);
  const archived = await e2e.names('archive', `raw_trades/${key}/`);
  assert.equal(archived.length, 2, `archive holds ${archived.join(', ')}`);
  assert.ok(archived.some((n) => n.endsWith(`/trades_${key}.csv`)));
  assert.ok(archived.some((n) => n.endsWith(`/trades_${key}.go`)));
  assert.deepEqual(await e2e.names('landing'), []);
  const events = e2e.eventsFor('raw_trades', key);
  assert.ok(events.every((e) => e.loadId === event.loadId), 'any second event is a redelivery of the same load');
});

for (const part of ['pubsub', 'firestore', 'storage'] as const) {
  test(`the ${part} emulator restarted mid-run: files uploaded after the restart load`, async () => {
    const key = { pubsub: '20240511', firestore: '20240512', storage: '20240513' }[part];
    await e2e.upload(`instruments_${key}0.csv`, csv('id,name', 5));
    assert.equal((await e2e.eventFor('raw_instruments', `${key}0`)).status, 'loaded');
    await e2e.stack.restart(part);
    if (part === 'pubsub') await e2e.reopenWatch();
    await e2e.upload(`instruments_${key}1.csv`, csv('id,name', 7));
    const event = await e2e.eventFor('raw_instruments', `${key}1`, 1, 60_000);
    assert.equal(event.status, 'loaded', event.error);
    assert.equal(event.rows, 7);
    assert.equal(await count(`select count(*)::int as n from raw_instruments where _load_id = '${event.loadId}'`), 7);
  });
}
