// The main command on the real stack (free ports): the samples' fates and dbt run (--once), then a dropped file and Ctrl-C.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMainCommand, type MainCommand } from './main-command.js';

const STACK_UP_MS = 120_000;
const FATE_MS = 90_000;

describe('npm start (emulators/start.ts)', { timeout: 600_000 }, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'landfall-start-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--once uploads the samples, prints each table with its rows and ms, the dbt run, and exits 0', async () => {
    const run = runMainCommand(['--once', '--free-ports', '--work-dir', join(dir, 'once'), '--timeout', '240'], {
      DUCKDB_PATH: join(dir, 'once.duckdb'),
    });
    let code: number | string;
    try {
      code = await run.exited;
    } finally {
      await run.stop();
    }
    const out = run.output();
    assert.equal(code, 0, out);
    const expected: [string, string, number][] = [
      ['instruments_20240115.csv', 'raw_instruments', 10],
      ['trades_20240115.csv', 'raw_trades', 8],
      ['positions_20240115.csv', 'raw_positions', 8],
      ['eod_prices_20240115.csv', 'raw_eod_prices', 8],
    ];
    for (const [file, table, rows] of expected) {
      assert.match(out, new RegExp(`^${file.replace(/\./g, '\\.')} +→ ${table}  ${rows} rows  \\d+ ms$`, 'm'), out);
    }
    assert.match(out, /^dbt daily 20240115 +✓ \d+ models built: .*stg_trades/m, out);
    assert.match(out, /^4 of 4 sample files loaded; dbt: 1 of 1 runs succeeded$/m, out);
    assert.deepEqual(run.processes(), [], 'nothing outlives the command');
  });

  it('--bigquery --once loads the samples into the BigQuery emulator behind the quota gate, and says in one line why dbt does not run', async () => {
    const work = join(dir, 'bigquery');
    const run = runMainCommand(['--bigquery', '--once', '--free-ports', '--work-dir', work, '--timeout', '240'], { DUCKDB_PATH: join(dir, 'bigquery.duckdb') });
    let code: number | string;
    try {
      code = await run.exited;
    } finally {
      await run.stop();
    }
    const out = run.output();
    assert.equal(code, 0, out);
    assert.match(out, /^landfall: starting the local stack on BigQuery \(the emulator behind the quota gate\) …$/m);
    assert.match(out, /^stack: quotaGate ready on :\d+/m, out);
    for (const [file, table, rows] of [['instruments', 'raw_instruments', 10], ['trades', 'raw_trades', 8], ['positions', 'raw_positions', 8], ['eod_prices', 'raw_eod_prices', 8]] as const) {
      assert.match(out, new RegExp(`^${file}_20240115\\.csv +→ ${table}  ${rows} rows  \\d+ ms$`, 'm'), out);
    }
    const dbtLines = out.split('\n').filter((l) => l.startsWith('dbt'));
    assert.equal(dbtLines.length, 1, out);
    assert.match(dbtLines[0]!, /^dbt +not run: .*dbt-duckdb.*emulator.*production.*Cloud Run job/);
    assert.match(out, /^4 of 4 sample files loaded$/m);
    // The loader wrote to the emulator's database in the work dir, and never opened the DuckDB file.
    assert.ok(existsSync(join(work, 'bigquery.db')));
    assert.equal(existsSync(join(dir, 'bigquery.duckdb')), false, 'the loader opened DuckDB');
    assert.deepEqual(run.processes(), [], 'nothing outlives the command');
  });

  describe('watching the landing folder', () => {
    let run: MainCommand;
    let landing: string;

    before(async () => {
      landing = join(dir, 'landing');
      run = runMainCommand(['--free-ports', '--no-samples', '--work-dir', join(dir, 'watch'), '--landing', landing, '--stable-ms', '300'], {
        DUCKDB_PATH: join(dir, 'watch.duckdb'),
      });
      await run.waitFor(/^watching .* — drop a file there: CSV, JSON lines, Parquet or Avro \(Ctrl-C to stop\)$/, STACK_UP_MS);
    });

    after(async () => {
      await run.stop();
    });

    it('uploads a file once it is fully written and prints its fate', async () => {
      // Written in two halves with a pause shorter than the stable wait: uploaded once, whole (or the count check fails).
      const file = await open(join(landing, 'eod_prices_20240301.csv'), 'w');
      await file.write('isin,price_date,close_price\nDE0007164600,2024-03-01,150.10\n');
      await sleep(150);
      await file.write('DE0007236101,2024-03-01,170.02\nTRAILER,2,EOF\n');
      await file.close();
      const line = await run.waitFor(/^eod_prices_20240301\.csv/, FATE_MS);
      assert.match(line, /^eod_prices_20240301\.csv +→ raw_eod_prices  2 rows  \d+ ms$/);
    });

    it('loads a JSON-lines, a Parquet and an Avro file dropped there, each into its typed or string table', async () => {
      for (const name of ['fills_20240115.jsonl', 'quotes_20240115.parquet', 'venues_20240115.avro']) await copyFile(join('test/fixtures/samples/formats', name), join(landing, name));
      assert.match(await run.waitFor(/^fills_20240115\.jsonl/, FATE_MS), /^fills_20240115\.jsonl +→ raw_fills  3 rows  \d+ ms$/);
      assert.match(await run.waitFor(/^quotes_20240115\.parquet/, FATE_MS), /^quotes_20240115\.parquet +→ raw_quotes  3 rows  \d+ ms$/);
      assert.match(await run.waitFor(/^venues_20240115\.avro/, FATE_MS), /^venues_20240115\.avro +→ raw_venues  2 rows  \d+ ms$/);
    });

    it('prints the reason of a file that fails, and names nothing twice', async () => {
      await writeFile(join(landing, 'instruments_broken.csv'), 'isin,ticker\nDE0007164600,SAP,extra\n');
      const line = await run.waitFor(/^instruments_broken\.csv/, FATE_MS);
      assert.match(line, /✗ failed: instruments_broken\.csv line 2: .*\d+ ms$/);
      await sleep(1000);
      const mentions = run.output().split('\n').filter((l) => l.startsWith('eod_prices_20240301.csv'));
      assert.equal(mentions.length, 1, run.output());
    });

    it('stops everything it started on Ctrl-C', async () => {
      assert.ok(run.processes().length >= 7, 'the command, three emulators and the functions run');
      const code = await run.stop();
      assert.equal(code, 130, run.output());
      assert.match(run.output(), /^stopping …$/m);
      assert.deepEqual(run.processes(), []);
    });
  });
});
