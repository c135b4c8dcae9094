// `landfall load` end to end: the real CLI process, the sample files, a real DuckDB file in a temp folder.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, runDuckDb } from '../../e2e/harness.js';
import type { CliResult } from '../../e2e/harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLES = join(ROOT, 'test/fixtures/samples');
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The real CLI process (`lib/cli/bin.js`) with only the environment a test gives it. */
function landfall(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env });
}

const json = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('loads the sample batch, moves data and go files to the archive, and prints one JSON object per file', async () => {
  const landing = join(dir, 'landing');
  await cp(SAMPLES, landing, { recursive: true });
  const db = join(dir, 'samples.duckdb');
  const files = (await readdir(landing)).filter((f) => /\.(csv|go|ctl)$/.test(f)).map((f) => join(landing, f));
  const run = await landfall(['load', '--json', '--duckdb', db, '--archive', join(dir, 'archive'), '--failed', join(dir, 'failed'), ...files]);
  assert.equal(run.code, 0, run.stderr);
  const outcomes = json(run.stdout);
  assert.deepEqual(outcomes.map((o) => [o.file, o.table, o.status, o.rows, o.error]).sort(), [
    ['eod_prices_20240115.csv', 'raw_eod_prices', 'loaded', 8, null],
    ['instruments_20240115.csv', 'raw_instruments', 'loaded', 10, null],
    ['positions_20240115.csv', 'raw_positions', 'loaded', 8, null],
    ['trades_20240115.csv', 'raw_trades', 'loaded', 8, null],
  ]);
  assert.ok(outcomes.every((o) => typeof o.loadId === 'string' && /^[0-9a-f-]{36}$/.test(o.loadId)));
  assert.deepEqual((await readdir(join(dir, 'archive'))).sort(), [
    'eod_prices_20240115.csv', 'instruments_20240115.csv', 'positions_20240115.csv', 'positions_20240115.ctl',
    'trades_20240115.csv', 'trades_20240115.go',
  ]);
  const meta = await runDuckDb(db, `SELECT table_name, row_count, status FROM load_metadata ORDER BY table_name`);
  assert.deepEqual(meta.map((m) => [m.table_name, Number(m.row_count), m.status]), [
    ['raw_eod_prices', 8, 'loaded'], ['raw_instruments', 10, 'loaded'], ['raw_positions', 8, 'loaded'], ['raw_trades', 8, 'loaded'],
  ]);
});

test('env defaults; waiting without a go file; skip, then --force replaces; bad files fail into failed/ with error.json', async () => {
  const landing = join(dir, 'drop');
  await mkdir(landing);
  const db = join(dir, 'env.duckdb');
  const env = { DUCKDB_PATH: db, TABLE_CONFIG_PATH: join(ROOT, 'config/tables'), FAILED_PATH: join(dir, 'failed2') };
  await cp(join(SAMPLES, 'instruments_20240115.csv'), join(landing, 'instruments_20240115.csv'));
  await cp(join(SAMPLES, 'trades_20240115.csv'), join(landing, 'trades_20240115.csv'));
  await writeFile(join(landing, 'instruments_bad.csv'), 'isin,ticker\nX,1\nY,2,3\n');
  await writeFile(join(landing, 'notes.txt'), 'hello\n');
  const names = ['instruments_20240115.csv', 'trades_20240115.csv', 'instruments_bad.csv', 'notes.txt'];
  const first = await landfall(['load', '--json', ...names.map((n) => join(landing, n))], env);
  assert.equal(first.code, 1, 'a failed file makes the exit status 1');
  const [loaded, waiting, bad, unmatched] = json(first.stdout);
  assert.equal(loaded?.status, 'loaded');
  assert.deepEqual([waiting?.status, waiting?.loadId], ['waiting', null]);
  assert.equal(bad?.status, 'failed');
  assert.match(String(bad?.error), /instruments_bad\.csv line 3: the row has 3 fields, but the header has 2/);
  assert.equal(unmatched?.status, 'failed');
  assert.match(String(unmatched?.error), /no table mapping matches notes\.txt/);
  assert.deepEqual((await readdir(landing)).sort(), ['instruments_20240115.csv', 'trades_20240115.csv'], 'loaded files stay without --archive');
  const sidecar = JSON.parse(await readFile(join(dir, 'failed2', 'instruments_bad.csv.error.json'), 'utf8'));
  assert.deepEqual([sidecar.problem, sidecar.table, sidecar.batchKey], [{ file: 'instruments_bad.csv', line: 3 }, 'raw_instruments', 'bad']);
  assert.equal(sidecar.path, join(landing, 'instruments_bad.csv'), 'without a landing root a file is its absolute path');
  assert.match(sidecar.error, /the row has 3 fields/);
  assert.ok(!Number.isNaN(Date.parse(sidecar.failedAt)));

  const again = await landfall(['load', '--json', join(landing, 'instruments_20240115.csv')], env);
  assert.equal(json(again.stdout)[0]?.status, 'skipped');
  const forced = await landfall(['load', '--json', '--force', join(landing, 'instruments_20240115.csv')], env);
  assert.equal(json(forced.stdout)[0]?.status, 'loaded');
  const counts = await runDuckDb(db, `SELECT count(*) AS n, count(DISTINCT _load_id) AS ids FROM raw_instruments`);
  assert.deepEqual([Number(counts[0]?.n), Number(counts[0]?.ids)], [10, 1], 'forced reload replaced, no duplicates');
});

test('a configuration error prints every problem and exits 1; a locked database leaves the file where it is', async () => {
  const broken = await landfall(['load', '--tables', join(ROOT, 'test/fixtures/config/tables-broken'), join(SAMPLES, 'trades_20240115.csv')]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /configuration problem/);
  assert.match(broken.stderr, /tables-broken\/(a|sub\/b)\.yaml:\d+:/);

  const db = join(dir, 'locked.duckdb');
  const holder = await DuckDBInstance.create(db);
  try {
    const file = join(dir, 'instruments_20240116.csv');
    await cp(join(SAMPLES, 'instruments_20240115.csv'), file);
    const run = await landfall(['load', '--json', '--duckdb', db, '--failed', join(dir, 'failed3'), file], { DUCKDB_LOCK_WAIT_MS: '300' });
    assert.equal(run.code, 1);
    assert.match(String(json(run.stdout)[0]?.error), /Could not set lock/);
    assert.deepEqual(await readdir(dir).then((f) => f.includes('instruments_20240116.csv')), true, 'not moved to failed/');
  } finally {
    holder.closeSync();
  }
});
