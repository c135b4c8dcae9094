// The loader's serial engine on a real DuckDB file: one open across a run of loads, closed (file free) when idle.
import { DuckDBInstance } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import type { TableMapping } from '../../../lib/config/index.js';
import { loadFile, type Warehouse } from '../../../lib/load/index.js';
import { serialEngine } from '../../../lib/pipeline/index.js';

let dir: string;
const mapping: TableMapping = { pattern: 'inst_*.csv', table: 'raw_inst', delimiter: ',', reupload: 'replace', source: { file: 'test', line: 1 } };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-serial-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens the real warehouse and counts opens and closes. */
function counting(path: string) {
  const counts = { opens: 0, closes: 0 };
  const open = async (): Promise<Warehouse> => {
    const warehouse = await openDuckDbWarehouse(path, { tempDirectory: dir });
    counts.opens++;
    return {
      priorLoads: (t, f) => warehouse.priorLoads(t, f),
      load: (job, options) => warehouse.load(job, options),
      loadBatch: (jobs) => warehouse.loadBatch(jobs),
      recordFailure: (failure) => warehouse.recordFailure(failure),
      close: async () => {
        counts.closes++;
        await warehouse.close();
      },
    };
  };
  return { counts, open };
}

async function request(name: string, rows: number) {
  const path = join(dir, name);
  await writeFile(path, `id,name\n${Array.from({ length: rows }, (_, i) => `${i},n${i}`).join('\n')}\n`);
  return { source: await openLocalFile(path), mapping, compressed: false, loadId: randomUUID() };
}

async function isFree(path: string): Promise<boolean> {
  try {
    (await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' })).closeSync();
    return true;
  } catch (error) {
    if (/lock/i.test(String(error))) return false;
    throw error;
  }
}

/** Resolves with the ms it took for `check` to hold, polling; fails after `timeoutMs`. */
async function timeUntil(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

test('a load within idleCloseMs reuses the open warehouse; idleCloseMs after the last one, the file is closed and free', async () => {
  const path = join(dir, 'idle.duckdb');
  const { counts, open } = counting(path);
  const idleCloseMs = 400;
  const engine = serialEngine(open, loadFile, { idleCloseMs });
  const [fourth, fifth] = [await request('inst_4.csv', 5), await request('inst_5.csv', 2)];
  const reports = await Promise.all([1, 2, 3].map(async (i) => engine(await request(`inst_${i}.csv`, 10 * i))));
  assert.deepEqual(reports.map((r) => [r.outcome.status, r.outcome.rows]), [['loaded', 10], ['loaded', 20], ['loaded', 30]]);
  // The next load comes at once, well inside the idle window: it finds the warehouse open.
  assert.equal((await engine(fourth)).outcome.rows, 5);
  assert.deepEqual(counts, { opens: 1, closes: 0 }, 'a load within the idle time reuses the open warehouse');
  const idle = await timeUntil(() => counts.closes === 1, 10_000);
  assert.ok(idle >= idleCloseMs - 20, `closed ${idle} ms after the last load: not before the idle time`);
  assert.ok(await isFree(path), 'the file is released when idle (dbt can open it)');
  assert.equal((await engine(fifth)).outcome.rows, 2);
  assert.equal(counts.opens, 2, 'the next load opens it again');
  await timeUntil(() => counts.closes === 2, 10_000);
});

test('idleCloseMs 0 closes as soon as no load waits; a thrown load closes too and the next one reopens', async () => {
  const path = join(dir, 'eager.duckdb');
  const { counts, open } = counting(path);
  const engine = serialEngine(open, loadFile);
  assert.equal((await engine(await request('inst_6.csv', 3))).outcome.status, 'loaded');
  assert.deepEqual(counts, { opens: 1, closes: 1 });
  assert.ok(await isFree(path));
  const broken = serialEngine(open, async () => {
    throw new Error('transient: disk full');
  }, { idleCloseMs: 10_000 });
  await assert.rejects(broken(await request('inst_7.csv', 1)), /disk full/);
  assert.deepEqual(counts, { opens: 2, closes: 2 }, 'the failed load closed the warehouse at once');
  assert.ok(await isFree(path));
});

test('loads overlap on the open warehouse: one held in its file checks does not hold back the next one', { timeout: 30_000 }, async () => {
  const path = join(dir, 'overlap.duckdb');
  const { counts, open } = counting(path);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const [first, second] = [await request('inst_8.csv', 4), await request('inst_9.csv', 6)];
  // The first load's work before the warehouse (its header and trailer reads, say) waits until released.
  const engine = serialEngine(open, async (warehouse, r) => {
    if (r === first) await held;
    return loadFile(warehouse, r);
  }, { idleCloseMs: 10_000 });
  const firstDone = engine(first);
  assert.equal((await engine(second)).outcome.rows, 6, 'the second load committed while the first was still held');
  release();
  assert.equal((await firstDone).outcome.rows, 4);
  assert.equal(counts.opens, 1, 'both on one open warehouse');
});

test('a load that throws while another shares the warehouse: that one finishes on it, and the next opens a fresh one only once it is closed', { timeout: 30_000 }, async () => {
  const path = join(dir, 'retire.duckdb');
  const { counts, open } = counting(path);
  let live = 0;
  let mostLive = 0;
  const tracked = async (): Promise<Warehouse> => {
    const warehouse = await open();
    mostLive = Math.max(mostLive, ++live);
    return { ...warehouse, close: async () => { live--; await warehouse.close(); } };
  };
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const [slow, failing, after] = [await request('inst_10.csv', 3), await request('inst_11.csv', 1), await request('inst_12.csv', 2)];
  const engine = serialEngine(tracked, async (warehouse, r) => {
    if (r === failing) throw new Error('transient: connection lost');
    if (r === slow) await held;
    return loadFile(warehouse, r);
  }, { idleCloseMs: 10_000 });
  const slowDone = engine(slow);
  await assert.rejects(engine(failing), /connection lost/);
  const afterDone = engine(after);
  release();
  assert.equal((await slowDone).outcome.rows, 3, 'the load already on it finished there');
  assert.equal((await afterDone).outcome.rows, 2);
  assert.deepEqual([counts.opens, counts.closes, mostLive], [2, 1, 1], 'closed, then opened afresh: never two open');
});
