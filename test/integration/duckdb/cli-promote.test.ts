// `landfall promote` end to end: the real CLI process on a DuckDB file the real `landfall load` filled, drift included.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, runDuckDb } from '../../e2e/harness.js';
import type { CliResult } from '../../e2e/harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLES = join(ROOT, 'test/fixtures/samples');
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-cli-promote-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The real CLI process (`lib/cli/bin.js`) with only the environment a test gives it. */
function landfall(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TABLE_CONFIG_PATH: join(ROOT, 'config/tables'), ...env });
}

const dump = (db: string) => runDuckDb(db, 'SELECT * EXCLUDE (_extra), _extra::VARCHAR AS extra FROM raw_trades ORDER BY trade_id');

test('promotes the samples\' drifted venue; a bad type exits 1 and changes nothing; a later file fills the column', async () => {
  const db = join(dir, 'trades.duckdb');
  const files = ['trades_20240115.csv', 'trades_20240115.go', 'drift/trades_20240116.csv', 'drift/trades_20240116.go'].map((f) => join(SAMPLES, f));
  await Promise.all(files.map((f) => cp(f, join(dir, f.slice(f.lastIndexOf('/') + 1)))));
  const loaded = await landfall(['load', '--json', '--duckdb', db, ...files.map((f) => join(dir, f.slice(f.lastIndexOf('/') + 1)))]);
  assert.equal(loaded.code, 0, loaded.stderr);
  const before = await dump(db);
  assert.ok(before.some((r) => JSON.parse(String(r.extra ?? 'null'))?.venue === 'XETR'), 'venue drifted into _extra');

  const bad = await landfall(['promote', '--type', 'INTEGER', 'raw_trades', 'Venue'], { DUCKDB_PATH: db });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^landfall promote: cannot promote raw_trades\.Venue to INTEGER: a row of load [0-9a-f-]{36} holds "X[A-Z]{3}", which does not cast to INTEGER: nothing changed\n$/);
  assert.deepEqual(await dump(db), before, 'nothing changed');

  const run = await landfall(['promote', '--json', '--duckdb', db, 'raw_trades', 'venue']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { table: 'raw_trades', column: 'venue', type: 'VARCHAR', rows: 5, keys: ['venue'] });
  const promoted = await runDuckDb(db, `SELECT trade_date, count(venue) AS venues, count(_extra) AS extras FROM raw_trades GROUP BY ALL ORDER BY ALL`);
  assert.deepEqual(promoted.map((r) => [r.trade_date, Number(r.venues), Number(r.extras)]), [['2024-01-15', 0, 0], ['2024-01-16', 5, 0]]);

  // Another day of the drifted file, spelling the column VENUE and drifting one more (desk).
  const [header, ...lines] = (await readFile(join(SAMPLES, 'drift/trades_20240116.csv'), 'utf8')).trimEnd().split('\n');
  const later = [header!.replace(/,venue$/, ',VENUE,desk'), ...lines.map((l) => `${l},d1`)].join('\n').replaceAll('2024-01-16', '2024-01-17');
  await writeFile(join(dir, 'trades_20240117.csv'), `${later.replaceAll('20240116', '20240117')}\n`);
  await writeFile(join(dir, 'trades_20240117.go'), `record_count=${lines.length}\n`);
  const next = await landfall(['load', '--json', '--duckdb', db, join(dir, 'trades_20240117.csv'), join(dir, 'trades_20240117.go')]);
  assert.equal(next.code, 0, next.stdout + next.stderr);
  const rows = await runDuckDb(db, `SELECT venue, _extra::VARCHAR AS extra FROM raw_trades WHERE trade_date = '2024-01-17' ORDER BY trade_id`);
  assert.deepEqual(
    rows.map((r) => [r.venue, JSON.parse(String(r.extra))]),
    lines.map((l) => [l.split(',').at(-1), { desk: 'd1' }]),
  );
});

test('anything but TABLE and FIELD prints the usage and exits 1; so does a type landfall does not know', async () => {
  const none = await landfall(['promote', 'raw_trades']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /expected TABLE and FIELD, got 1 argument\(s\)\nusage: landfall promote/);
  const type = await landfall(['promote', '--type', 'FLOAT', 'raw_trades', 'venue'], { DUCKDB_PATH: join(dir, 'none.duckdb') });
  assert.equal(type.code, 1);
  assert.match(type.stderr, /--type "FLOAT": not a type landfall promotes to; use one of VARCHAR/);
});
