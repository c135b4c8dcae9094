// `landfall load` and go files on their own: a lone go file is a waiting file, and a huge one fails its data file at once.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../e2e/harness.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-cli-go-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (db: string) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DUCKDB_PATH: db, TABLE_CONFIG_PATH: 'config/tables' });

test('a go file given without its data file is one waiting object in --json, and one line in text', async () => {
  const landing = join(dir, 'alone');
  await mkdir(landing);
  await writeFile(join(landing, 'positions_20240301.ctl'), 'positions_20240301.csv,2,SUCCESS\n');
  const run = await runCli(['load', '--json', '--landing', landing, join(landing, 'positions_20240301.ctl')], env(join(dir, 'alone.duckdb')));
  assert.equal(run.code, 0, run.stderr);
  const printed = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(printed, [
    { file: 'positions_20240301.ctl', path: 'positions_20240301.ctl', table: 'raw_positions', status: 'waiting', rows: 0, loadId: null, error: null, problem: null, moveError: null, waitingFor: 'positions_20240301.csv' },
  ]);
  const text = await runCli(['load', '--landing', landing, join(landing, 'positions_20240301.ctl')], env(join(dir, 'alone.duckdb')));
  assert.match(text.stdout, /^waiting +raw_positions +positions_20240301\.ctl +a go file waits for its data file positions_20240301\.csv, which was not given\n$/);
});

test('a go file too large to be one fails its data file without being read, and both move to failed/', async () => {
  const landing = join(dir, 'huge');
  await mkdir(landing);
  await writeFile(join(landing, 'trades_20240302.csv'), 'trade_id,qty\n1,2\n');
  const go = join(landing, 'trades_20240302.go');
  // One count line, then 600 MB of a comment (sparse): reading it whole would not fit in a string.
  await writeFile(go, 'record_count=1\n#');
  await truncate(go, 600 * 1024 * 1024);
  const failed = join(dir, 'failed');
  const run = await runCli(['load', '--json', '--landing', landing, '--failed', failed, join(landing, 'trades_20240302.csv'), go], env(join(dir, 'huge.duckdb')));
  assert.equal(run.code, 1);
  const [outcome] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(outcome?.status, 'failed');
  assert.match(String(outcome?.error), /^trades_20240302\.go line 1: the go file is 629145600 bytes, more than the 65536 a go file may have/);
  assert.deepEqual(outcome?.problem, { file: 'trades_20240302.go', line: 1 });
  assert.deepEqual((await readdir(failed)).sort(), ['trades_20240302.csv', 'trades_20240302.csv.error.json', 'trades_20240302.go']);
  assert.deepEqual(await readdir(landing), []);
});
