// The local DbtRunner with the real dbt (project venv) on a DuckDB file the real loader filled from the sample batch.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalDbtRunner } from '../../../lib/adapters/dbt/index.js';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { TransientError } from '../../../lib/errors.js';
import { SAMPLES, SAMPLE_FILES, loadSamples, queryDuckDb } from './samples.js';

const DAILY = { batch: 'daily', batchKey: '20240115', select: 'tag:daily' };
const MODELS = ['stg_instruments', 'stg_eod_prices', 'stg_trades', 'stg_positions', 'position_values'].map((m) => `model.landfall_example.${m}`);
let dir: string;

/** Another process with the DuckDB file open, as the loader function is to the dbt trigger's process. */
async function holdInOtherProcess(path: string): Promise<{ release(): Promise<void> }> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(process.argv[1]);
    console.log('held');
    process.stdin.on('end', () => { db.closeSync(); process.exit(0); });
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return {
    async release() {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}

async function isLocked(path: string): Promise<boolean> {
  try {
    await (await openDuckDbWarehouse(path, { lockWaitMs: 0 })).close();
    return false;
  } catch (error) {
    if (error instanceof TransientError && /lock/i.test(error.message)) return true;
    throw error;
  }
}

let db: string;
let runner: LocalDbtRunner;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-dbt-'));
  db = join(dir, 'warehouse.duckdb');
  // The next day's trades too: their `venue` column is drift, loaded into `_extra`.
  const outcomes = await loadSamples(db, [...SAMPLE_FILES.map((f) => join(SAMPLES, f)), join(SAMPLES, 'drift/trades_20240116.csv')]);
  assert.deepEqual(outcomes.map((o) => o.status), ['loaded', 'loaded', 'loaded', 'loaded', 'loaded']);
  runner = new LocalDbtRunner({ duckdbPath: db });
});

after(() => rm(dir, { recursive: true, force: true }));

describe('LocalDbtRunner', () => {
  it('builds the batch key: staging views (drift read from `_extra`), position values from positions × prices', async () => {
    const result = await runner.run(DAILY);
    assert.equal(result.status, 'success', result.logExcerpt);
    assert.deepEqual([...result.modelsBuilt].sort(), [...MODELS].sort());
    assert.deepEqual(result.modelsFailed, []);
    assert.equal(result.message, undefined);
    assert.match(result.logExcerpt, /Completed successfully/);
    assert.ok(result.startedAt <= result.finishedAt);
    const rows = await queryDuckDb(db, 'SELECT account_id, isin, ticker, quantity, close_price, market_value FROM position_values ORDER BY account_id, isin');
    assert.equal(rows.length, 8);
    assert.deepEqual(rows[1], {
      account_id: 'EQ-EUR-001', isin: 'DE0007164600', ticker: 'SAP', quantity: 18200, close_price: '143.520000', market_value: '2612064.000000',
    });
    // Only the batch key's date is valued; the staging view reads `venue` through the dispatched extra_field macro.
    assert.deepEqual(await queryDuckDb(db, 'SELECT DISTINCT CAST(as_of_date AS VARCHAR) AS d FROM position_values'), [{ d: '2024-01-15' }]);
    const venues = await queryDuckDb(db, "SELECT trade_id, venue FROM stg_trades WHERE trade_id IN ('T20240116-0002', 'T20240115-0001') ORDER BY trade_id");
    assert.deepEqual(venues, [{ trade_id: 'T20240115-0001', venue: null }, { trade_id: 'T20240116-0002', venue: 'XNAS' }]);
  });

  // A model that fails at run time (recorded with dbt's message) is covered through the trigger in trigger.test.ts.
  it('a project that does not compile fails with dbt\'s words and no run_results', async () => {
    const broken = join(dir, 'uncompilable');
    await cp('dbt', broken, { recursive: true, filter: (src) => !/[/\\](target|logs)$/.test(src) });
    await writeFile(join(broken, 'models/marts/orphan.sql'), "select * from {{ ref('no_such_model') }}\n");
    const result = await new LocalDbtRunner({ duckdbPath: db, projectDir: broken }).run(DAILY);
    assert.equal(result.status, 'error');
    assert.deepEqual(result.modelsBuilt, []);
    assert.match(result.message ?? '', /no_such_model/);
  });

  it('takes turns with the loader on the one DuckDB file: each waits for the other, and both succeed', async () => {
    // The loader holds the file: dbt waits for it instead of failing.
    const held = await holdInOtherProcess(db);
    const waiting = runner.run(DAILY);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await held.release();
    assert.equal((await waiting).status, 'success');

    // dbt holds the file: a load that will not wait (lockWaitMs 0) is a TransientError (Pub/Sub redelivers it), and a
    // later delivery succeeds. (A load that waits, the default, is covered by test/integration/duckdb/lock-wait.test.ts.)
    let settled = false;
    const running = runner.run(DAILY).finally(() => (settled = true));
    while (!settled && !(await isLocked(db))) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!settled, 'dbt finished before it was seen holding the file');
    let conflicts = 0;
    let loaded: string | undefined;
    while (loaded === undefined) {
      try {
        loaded = (await loadSamples(db, [join(SAMPLES, 'instruments_20240115.csv')], true, 0))[0]?.status;
      } catch (error) {
        assert.ok(error instanceof TransientError, String(error));
        assert.match(error.message, /lock/i);
        conflicts++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.equal(loaded, 'loaded');
    assert.equal((await running).status, 'success');
    assert.ok(conflicts > 0, 'the load never met the running dbt');
  });

  it('gives up with a TransientError when the file stays locked past lockWaitMs', async () => {
    const held = await holdInOtherProcess(db);
    try {
      await assert.rejects(new LocalDbtRunner({ duckdbPath: db, lockWaitMs: 500 }).run(DAILY), /another process held it for 500 ms/);
    } finally {
      await held.release();
    }
  });
});
