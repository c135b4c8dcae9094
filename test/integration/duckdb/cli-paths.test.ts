// `landfall load` and paths: a file is its path under the landing root, go files pair in their own folder, names are never
// patterns, and every file gets its line even when moving one fails.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../e2e/harness.js';
import { queryDuckDb } from '../../e2e/harness.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-cli-paths-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (db: string) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DUCKDB_PATH: db, TABLE_CONFIG_PATH: 'config/tables' });
const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function put(root: string, files: Record<string, string>): Promise<string[]> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return Object.keys(files).map((p) => join(root, p));
}

async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

test('one name in two dated folders: two files, both kept, and archive/ keeps the landing layout', async () => {
  const landing = join(dir, 'l1');
  const db = join(dir, 'l1.duckdb');
  const [day1, day2] = await put(landing, { 'day1/instruments_eod.csv': 'isin,name\nA,1\nB,2\n', 'day2/instruments_eod.csv': 'isin,name\nC,3\n' });
  const archive = join(dir, 'a1');
  const first = await runCli(['load', '--json', '--landing', landing, '--archive', archive, day1!], env(db));
  const second = await runCli(['load', '--json', '--landing', landing, '--archive', archive, day2!], env(db));
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual([lines(first.stdout)[0]?.path, lines(second.stdout)[0]?.path], ['day1/instruments_eod.csv', 'day2/instruments_eod.csv']);
  assert.deepEqual(await queryDuckDb(db, 'SELECT isin FROM raw_instruments ORDER BY isin'), [{ isin: 'A' }, { isin: 'B' }, { isin: 'C' }]);
  const meta = await queryDuckDb(db, 'SELECT filename, path, status FROM load_metadata ORDER BY path');
  assert.deepEqual(meta, [
    { filename: 'instruments_eod.csv', path: 'day1/instruments_eod.csv', status: 'loaded' },
    { filename: 'instruments_eod.csv', path: 'day2/instruments_eod.csv', status: 'loaded' },
  ]);
  assert.deepEqual(await tree(archive), ['day1/instruments_eod.csv', 'day2/instruments_eod.csv']);
});

test('LANDING_PATH is the landing root too; without one a file is its absolute path, and archive/ never replaces a file', async () => {
  const landing = join(dir, 'l2');
  const db = join(dir, 'l2.duckdb');
  const [a, b] = await put(landing, { 'x/instruments_dup.csv': 'isin\nA\n', 'y/instruments_dup.csv': 'isin\nB\n' });
  const archive = join(dir, 'a2');
  const run = await runCli(['load', '--json', '--archive', archive, a!, b!], env(db));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(run.stdout).map((l) => l.path), [a, b]);
  assert.deepEqual(await tree(archive), ['instruments_dup.csv', 'instruments_dup~2.csv'], 'by base name from outside a landing root, the second beside the first');
  const [c] = await put(landing, { 'z/instruments_dup.csv': 'isin\nC\n' });
  const viaEnv = await runCli(['load', '--json', c!], { ...env(db), LANDING_PATH: landing });
  assert.equal(lines(viaEnv.stdout)[0]?.path, 'z/instruments_dup.csv');
});

test('a go file pairs only with the data file in its own folder', async () => {
  const landing = join(dir, 'l3');
  const db = join(dir, 'l3.duckdb');
  const [data] = await put(landing, { 'a/trades_20240301.csv': 'id,qty\n1,2\n', 'b/trades_20240301.go': 'record_count=1\n' });
  const alone = await runCli(['load', '--json', '--landing', landing, data!], env(db));
  assert.equal(lines(alone.stdout)[0]?.status, 'waiting', 'the go file in b/ is not a/’s');
  await put(landing, { 'a/trades_20240301.go': 'record_count=1\n' });
  const paired = await runCli(['load', '--json', '--landing', landing, data!], env(db));
  assert.deepEqual([lines(paired.stdout)[0]?.status, lines(paired.stdout)[0]?.rows], ['loaded', 1]);
});

test('a file name with glob characters loads its own rows only', async () => {
  const landing = join(dir, 'l4');
  const db = join(dir, 'l4.duckdb');
  const files = await put(landing, { 'instruments_1.csv': 'isin\nONE\n', 'instruments_2.csv': 'isin\nTWO\n', 'instruments_?.csv': 'isin\nQ\n', 'instruments_[12].csv': 'isin\nB\n' });
  const run = await runCli(['load', '--json', '--landing', landing, ...files], env(db));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(run.stdout).map((l) => l.rows), [1, 1, 1, 1]);
  const rows = await queryDuckDb(db, 'SELECT m.path, r.isin FROM raw_instruments r JOIN load_metadata m ON r._load_id = m.load_id ORDER BY m.path');
  assert.deepEqual(rows, [
    { path: 'instruments_1.csv', isin: 'ONE' },
    { path: 'instruments_2.csv', isin: 'TWO' },
    { path: 'instruments_?.csv', isin: 'Q' },
    { path: 'instruments_[12].csv', isin: 'B' },
  ]);
});

test('the run goes on when a file cannot be moved: every file has its line, later files load, the exit status says so', async () => {
  const landing = join(dir, 'l5');
  const db = join(dir, 'l5.duckdb');
  const blocker = join(dir, 'not-a-folder');
  await writeFile(blocker, 'a file where the archive folder should be');
  const files = await put(landing, { 'instruments_m1.csv': 'isin\nA\n', 'instruments_m2.csv': 'isin\nB\n' });
  const run = await runCli(['load', '--json', '--archive', blocker, ...files], env(db));
  assert.equal(run.code, 1, 'a move that failed is trouble');
  const out = lines(run.stdout);
  assert.deepEqual(out.map((l) => [l.status, l.rows]), [['loaded', 1], ['loaded', 1]]);
  assert.ok(out.every((l) => /could not move .*: .*(ENOTDIR|EEXIST)/.test(String(l.moveError))), JSON.stringify(out));
  assert.deepEqual(await tree(landing), ['instruments_m1.csv', 'instruments_m2.csv'], 'both stay where they were');
});

test('a failed file whose name leaves no room for ".error.json" still gets its sidecar, under a name that fits', async () => {
  const landing = join(dir, 'l6');
  const db = join(dir, 'l6.duckdb');
  const name = `instruments_${'k'.repeat(245 - 'instruments_.csv'.length)}.csv`;
  assert.equal(Buffer.byteLength(name), 245);
  const [bad, good] = await put(landing, { [name]: 'isin,x\nA\n', 'instruments_after.csv': 'isin\nB\n' });
  const failed = join(dir, 'f6');
  const run = await runCli(['load', '--json', '--failed', failed, bad!, good!], env(db));
  const out = lines(run.stdout);
  assert.deepEqual(out.map((l) => [l.status, l.moveError]), [['failed', null], ['loaded', null]]);
  const kept = await tree(failed);
  assert.equal(kept.length, 2);
  assert.ok(kept.includes(name));
  const sidecar = kept.find((n) => n.endsWith('.error.json'))!;
  assert.ok(Buffer.byteLength(sidecar) <= 255, sidecar);
});
