// End to end through the real `landfall` CLI: put, status --json, replay (dry run, from the archive, --seek),
// and the two arrival orders of a data file and its go file.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusRow } from '../../lib/pipeline/index.js';
import { csv, startE2E, type E2E } from './harness.js';

let e2e: E2E;
let startedAt: Date;

before(async () => {
  e2e = await startE2E();
  startedAt = new Date(Date.now() - 1000);
});

after(async () => {
  await e2e?.stop();
});

async function waitingArrival(table: string, batchKey: string): Promise<void> {
  await e2e.logLine('matcher', ['"event":"arrival_waiting"', `"table":"${table}"`, `"batchKey":"${batchKey}"`]);
}

async function rowsOf(loadId: string, table: string): Promise<number> {
  const rows = await e2e.query(`select count(*)::int as n from ${table} where _load_id = '${loadId}'`);
  return Number(rows[0]?.n);
}

async function status(): Promise<StatusRow[]> {
  const result = await e2e.cli(['status', '--json']);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { files: StatusRow[] }).files;
}

test('go file uploaded after its data file: the data file waits, then loads', async () => {
  await e2e.upload('trades_20240601.csv', csv('id,qty', 6));
  await waitingArrival('raw_trades', '20240601');
  await sleep(500);
  assert.equal(e2e.eventsFor('raw_trades', '20240601').length, 0, 'loaded before its go file');
  await e2e.upload('trades_20240601.go', 'record_count=6\n');
  const event = await e2e.eventFor('raw_trades', '20240601');
  assert.equal(event.status, 'loaded', event.error);
  assert.equal(await rowsOf(event.loadId, 'raw_trades'), 6);
  assert.equal((await e2e.names('archive', 'raw_trades/20240601/')).length, 2);
});

test('go file uploaded before its data file (csv control file): loads once the data file lands', async () => {
  await e2e.upload('positions_20240602.ctl', 'positions_20240602.csv,4,SUCCESS\n');
  await waitingArrival('raw_positions', '20240602');
  await e2e.upload('positions_20240602.csv', csv('id,pos', 4));
  const event = await e2e.eventFor('raw_positions', '20240602');
  assert.equal(event.status, 'loaded', event.error);
  assert.equal(await rowsOf(event.loadId, 'raw_positions'), 4);
});

test('landfall put uploads; landfall status --json shows loaded, waiting (with how long) and unmatched files', async () => {
  const files = { data: join(e2e.dir, 'instruments_20240603.csv'), lonely: join(e2e.dir, 'trades_20240603.csv'), stray: join(e2e.dir, 'readme.txt') };
  await writeFile(files.data, csv('id,name', 3));
  await writeFile(files.lonely, csv('id,qty', 2));
  await writeFile(files.stray, 'not a table\n');
  const put = await e2e.cli(['put', files.data, files.lonely, files.stray]);
  assert.equal(put.code, 0, put.stderr);
  assert.match(put.stdout, /put .*instruments_20240603\.csv → gs:\/\/landfall-landing\/incoming\/instruments_20240603\.csv#\d+/);
  assert.equal((await e2e.eventFor('raw_instruments', '20240603')).status, 'loaded');
  await waitingArrival('raw_trades', '20240603');
  await e2e.logLine('matcher', ['"event":"arrival_unmatched"', 'readme.txt']);
  await sleep(1100);

  const rows = await status();
  const loaded = rows.find((r) => r.table === 'raw_instruments' && r.batchKey === '20240603');
  assert.equal(loaded?.state, 'loaded');
  assert.equal(loaded?.rows, 3);
  const waiting = rows.find((r) => r.table === 'raw_trades' && r.batchKey === '20240603');
  assert.equal(waiting?.state, 'waiting');
  assert.equal(waiting?.waitingFor, 'the go file');
  assert.equal(waiting?.file, 'incoming/trades_20240603.csv');
  assert.ok(waiting.ageSeconds >= 1, `waited ${waiting.ageSeconds} s`);
  const stray = rows.find((r) => r.kind === 'unmatched');
  assert.equal(stray?.file, 'landfall-landing/incoming/readme.txt');
  assert.match(stray.error ?? '', /no table mapping/);

  const text = await e2e.cli(['status']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /waiting\s+raw_trades\s+20240603 .*waiting \d+s for the go file/);
  assert.deepEqual(await e2e.names('landing'), ['incoming/readme.txt', 'incoming/trades_20240603.csv']);
});

test('replay of an archived file: --dry-run publishes nothing; --yes replaces the rows instead of duplicating them', async () => {
  const key = '20240604';
  await e2e.upload(`trades_${key}.go`, 'record_count=5\n');
  await e2e.upload(`trades_${key}.csv`, csv('id,qty', 5));
  const first = await e2e.eventFor('raw_trades', key);
  assert.equal(first.status, 'loaded', first.error);
  const archived = await e2e.names('archive', `raw_trades/${key}/`);
  assert.equal(archived.length, 2);

  const refused = await e2e.cli(['replay', '--from', 'archive', '--table', 'raw_trades', '--batch-key', key]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--dry-run .*--yes/);

  const dry = await e2e.cli(['replay', '--from', 'archive', '--table', 'raw_trades', '--batch-key', key, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`would replay go   raw_trades/${key}  gs://landfall-archive/raw_trades/${key}/\\d+/trades_${key}\\.go`));
  assert.match(dry.stdout, new RegExp(`would replay data raw_trades/${key}  gs://landfall-archive/raw_trades/${key}/\\d+/trades_${key}\\.csv`));
  assert.match(dry.stdout, /2 object\(s\) selected from gs:\/\/landfall-archive/);
  assert.doesNotMatch(dry.stdout, /published/);
  await sleep(2000);
  assert.equal(e2e.eventsFor('raw_trades', key).length, 1, 'a dry run loaded something');

  const replay = await e2e.cli(['replay', '--from', 'archive', '--table', 'raw_trades', '--batch-key', key, '--yes']);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /published 2 replay notification\(s\), replay id [0-9a-f-]{36}/);
  const second = await e2e.eventFor('raw_trades', key, 2);
  assert.equal(second.status, 'loaded', second.error);
  assert.notEqual(second.loadId, first.loadId);
  const meta = await e2e.query(
    `select load_id, status, row_count::int as n from load_metadata where filename = 'trades_${key}.csv' order by completed_at`,
  );
  assert.deepEqual(meta, [
    { load_id: first.loadId, status: 'replaced', n: 5 },
    { load_id: second.loadId, status: 'loaded', n: 5 },
  ]);
  assert.equal(await rowsOf(first.loadId, 'raw_trades'), 0);
  assert.equal(await rowsOf(second.loadId, 'raw_trades'), 5);
  assert.deepEqual(await e2e.names('archive', `raw_trades/${key}/`), archived, 'the archived copies stay where they are');
});

test('replay --seek: arrivals are delivered again and change nothing (every one is a duplicate)', async () => {
  const before = e2e.events.length;
  const counts = await e2e.query('select count(*)::int as n from raw_trades');
  const dry = await e2e.cli(['replay', '--seek', startedAt.toISOString(), '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^seek landfall-arrivals-matcher to .*: arrivals published since then are delivered again/m);

  const from = await e2e.logSize('matcher');
  const seek = await e2e.cli(['replay', '--seek', startedAt.toISOString(), '--yes']);
  assert.equal(seek.code, 0, seek.stderr);
  await e2e.logLine('matcher', ['"event":"arrival_duplicate"', '"batchKey":"20240601"'], 30_000, from);
  await e2e.logLine('matcher', ['"event":"arrival_duplicate"', '"batchKey":"20240604"'], 30_000, from);
  await sleep(2000);
  assert.equal(e2e.events.length, before, 'a re-delivered arrival started a load');
  assert.deepEqual(await e2e.query('select count(*)::int as n from raw_trades'), counts);
});
