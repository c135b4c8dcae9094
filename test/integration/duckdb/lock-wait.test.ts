// Another process holding the DuckDB file (dbt, a second loader): the warehouse waits for the lock, within a bound.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { TransientError } from '../../../lib/errors.js';

const dir = await mkdtemp(join(tmpdir(), 'landfall-lock-'));
after(() => rm(dir, { recursive: true, force: true }));

/** A real second process that opens the file, says so, holds it for `holdMs`, then exits. */
function holdLock(path: string, holdMs: number): Promise<{ released: Promise<number> }> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(${JSON.stringify(path)});
    console.log('locked');
    setTimeout(() => { db.closeSync(); process.exit(0); }, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())));
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ released }));
    child.once('error', reject);
  });
}

test('a file locked by another process opens once that process lets go', async () => {
  const path = join(dir, 'waits.duckdb');
  const holder = await holdLock(path, 1500);
  const warehouse = await openDuckDbWarehouse(path, { lockWaitMs: 20_000 });
  const openedAt = Date.now();
  try {
    assert.ok(openedAt >= (await holder.released), 'opened only after the other process released the file');
    assert.deepEqual(await warehouse.query('select 1 as one'), [{ one: 1 }]);
  } finally {
    await warehouse.close();
  }
});

test('a lock held longer than lockWaitMs is a transient error (Pub/Sub retries the load later)', async () => {
  const path = join(dir, 'gives-up.duckdb');
  const holder = await holdLock(path, 4000);
  const started = Date.now();
  await assert.rejects(openDuckDbWarehouse(path, { lockWaitMs: 800 }), (error: unknown) => {
    assert.ok(error instanceof TransientError, String(error));
    assert.match((error as Error).message, /Could not set lock/);
    return true;
  });
  const waitedMs = Date.now() - started;
  assert.ok(waitedMs >= 700 && waitedMs < 3000, `waited ${waitedMs} ms`);
  await holder.released;
});
