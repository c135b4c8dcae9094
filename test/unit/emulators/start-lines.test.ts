// The main command's options and its dbt run lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbtRunLine, dbtRunReporter, expectedRuns } from '../../../emulators/dbt-lines.js';
import { FateBoard } from '../../../emulators/fate-board.js';
import { OptionsError, parseStartOptions } from '../../../emulators/start-options.js';
import { summarizeOnce } from '../../../emulators/start-session.js';
import { parseTableMappings } from '../../../lib/config/index.js';
import type { DbtRunRecord, TriggerBatch } from '../../../lib/transform/index.js';

describe('parseStartOptions', () => {
  it('defaults to watching ./landing with the samples, dev.duckdb and firebase.json ports', () => {
    const o = parseStartOptions([], {}, '/repo');
    assert.deepEqual(o, {
      once: false,
      freePorts: false,
      bigquery: false,
      samplesDir: '/repo/test/fixtures/samples',
      landingDir: '/repo/landing',
      workDir: undefined,
      duckdbPath: '/repo/dev.duckdb',
      timeoutMs: 180_000,
      stableMs: 500,
      help: false,
    });
  });

  it('reads --once (or LANDFALL_ONCE), free ports, folders, timeout and DUCKDB_PATH', () => {
    const o = parseStartOptions(['--once', '--free-ports', '--landing', 'drop', '--timeout', '30', '--stable-ms', '50'], { DUCKDB_PATH: '/tmp/x.duckdb' }, '/repo');
    assert.equal(o.once, true);
    assert.equal(o.freePorts, true);
    assert.equal(o.landingDir, '/repo/drop');
    assert.equal(o.timeoutMs, 30_000);
    assert.equal(o.stableMs, 50);
    assert.equal(o.duckdbPath, '/tmp/x.duckdb');
    assert.equal(parseStartOptions([], { LANDFALL_ONCE: '1' }, '/r').once, true);
    assert.equal(parseStartOptions(['--no-samples'], {}, '/r').samplesDir, undefined);
    assert.equal(parseStartOptions(['--work-dir', 'w'], {}, '/r').workDir, '/r/w');
    assert.equal(parseStartOptions([], { LANDFALL_WORK_DIR: '/tmp/w' }, '/r').workDir, '/tmp/w');
  });

  it('reads --bigquery (or LOADER_BACKEND=bigquery), beside --once', () => {
    const o = parseStartOptions(['--bigquery', '--once'], {}, '/r');
    assert.equal(o.bigquery, true);
    assert.equal(o.once, true);
    assert.equal(parseStartOptions([], { LOADER_BACKEND: 'bigquery' }, '/r').bigquery, true);
    assert.equal(parseStartOptions([], { LOADER_BACKEND: 'duckdb' }, '/r').bigquery, false);
  });

  it('refuses unknown flags, bad numbers and contradictions with an OptionsError', () => {
    assert.throws(() => parseStartOptions(['--nope'], {}, '/r'), OptionsError);
    assert.throws(() => parseStartOptions(['--timeout=0'], {}, '/r'), /--timeout must be a positive number/);
    assert.throws(() => parseStartOptions(['--samples', 'x', '--no-samples'], {}, '/r'), /contradict/);
  });
});

const run = (over: Partial<DbtRunRecord>): DbtRunRecord => ({
  batch: 'daily',
  batchKey: '20240115',
  seq: 1,
  status: 'running',
  select: 'tag:daily',
  loadIds: {},
  startedAt: '2024-01-15T18:00:00.000Z',
  finishedAt: null,
  modelsBuilt: [],
  modelsFailed: [],
  logExcerpt: '',
  message: null,
  ...over,
});

describe('dbtRunLine', () => {
  it('says a running, a successful and a failed run', () => {
    assert.equal(dbtRunLine(run({}), 22), 'dbt daily 20240115    … dbt build --select tag:daily (run 1)');
    const done = run({
      status: 'success',
      finishedAt: '2024-01-15T18:00:03.420Z',
      modelsBuilt: ['model.landfall_example.stg_trades', 'model.landfall_example.daily_pnl', 'test.landfall_example.not_null_x'],
    });
    assert.equal(dbtRunLine(done, 22), 'dbt daily 20240115    ✓ 2 models built: stg_trades, daily_pnl; 1 test passed  3.4 s');
    const failed = run({ status: 'error', finishedAt: '2024-01-15T18:00:01.000Z', message: 'Database Error in model daily_pnl', modelsFailed: ['model.x.daily_pnl'] });
    assert.equal(dbtRunLine(failed, 0), 'dbt daily 20240115✗ dbt build failed: Database Error in model daily_pnl; failed: daily_pnl  1.0 s');
  });

  it('reports each (run, status) once', () => {
    const say = dbtRunReporter(() => 10);
    assert.ok(say(run({})));
    assert.equal(say(run({})), undefined);
    assert.ok(say(run({ status: 'success', finishedAt: '2024-01-15T18:00:01.000Z' })));
    assert.ok(say(run({ seq: 2 })));
  });
});

describe('expectedRuns', () => {
  const daily: TriggerBatch = { name: 'daily', tables: ['a', 'b'], select: 'tag:daily', policy: { kind: 'all_tables' }, perFolder: false };
  const each: TriggerBatch = { name: 'each', tables: ['c'], select: 'x', policy: { kind: 'each_load', debounceSeconds: 5 }, perFolder: false };

  it('expects an all_tables run once every member loaded the key, an each_load run once any did', () => {
    const loaded = [
      { table: 'a', batchKey: '1' },
      { table: 'b', batchKey: '1' },
      { table: 'a', batchKey: '2' },
      { table: 'c', batchKey: '2' },
    ];
    assert.deepEqual(expectedRuns([daily, each], loaded), [
      { batch: 'daily', batchKey: '1' },
      { batch: 'each', batchKey: '2' },
    ]);
    assert.deepEqual(expectedRuns([], loaded), []);
  });
});

describe('summarizeOnce', () => {
  const mappings = parseTableMappings([{ path: 't.yaml', text: 'a_*.csv: raw_a\nb_*.csv: raw_b\n' }]);
  const board = (statuses: ('loaded' | 'failed' | undefined)[]) => {
    const b = new FateBoard(mappings);
    statuses.forEach((status, i) => {
      const name = `incoming/${i % 2 ? 'b' : 'a'}_${i}.csv`;
      b.uploaded([{ bucket: 'l', name, generation: '1', atMs: 0 }]);
      if (status) b.event({ v: 1, table: 'raw_a', batchKey: String(i), loadId: `L${i}`, status, rows: 1, file: `gs://l/${name}#1` }, 5);
    });
    return b;
  };
  const session = (statuses: ('loaded' | 'failed' | undefined)[], runs: DbtRunRecord[] = [], pending = 0) => ({
    board: board(statuses),
    finishedRuns: () => runs,
    pendingRuns: () => Array.from({ length: pending }, () => ({ batch: 'daily', batchKey: '1' })),
  });

  it('exits 0 only when every file loaded and every dbt run succeeded', () => {
    assert.deepEqual(summarizeOnce(session(['loaded', 'loaded'])), { line: '2 of 2 sample files loaded', exitCode: 0 });
    assert.deepEqual(summarizeOnce(session(['loaded', 'loaded'], [run({ status: 'success' })])), {
      line: '2 of 2 sample files loaded; dbt: 1 of 1 runs succeeded',
      exitCode: 0,
    });
  });

  it('exits 1 for a failed or missing fate, a failed or unfinished dbt run, or no files at all', () => {
    assert.equal(summarizeOnce(session(['loaded', 'failed'])).exitCode, 1);
    assert.equal(summarizeOnce(session(['loaded', undefined])).line, '1 of 2 sample files loaded');
    assert.equal(summarizeOnce(session(['loaded'], [run({ status: 'error' })])).exitCode, 1);
    assert.deepEqual(summarizeOnce(session(['loaded'], [], 1)), { line: '1 of 1 sample files loaded; dbt: 0 of 1 runs succeeded', exitCode: 1 });
    assert.equal(summarizeOnce(session([])).exitCode, 1);
  });
});
