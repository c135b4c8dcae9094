// The shipped command is compiled JavaScript: `landfall` from dist/ runs with no transpiler (npm test builds dist/ first).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const LANDFALL = join(REPO, 'dist/lib/cli/landfall.js');

test('dist/lib/cli/landfall.js lists its commands and loads a file, on a bare node', async () => {
  // A bare `node` (no --import tsx, no NODE_OPTIONS): a .ts import anywhere would fail it.
  const help = await run(process.execPath, [LANDFALL, '--help'], { cwd: REPO, env: { PATH: process.env.PATH ?? '' } });
  assert.match(help.stdout, /^usage: landfall <command>/);
  for (const name of ['load', 'promote', 'put', 'status', 'replay', 'dbt-sources', 'plan', 'deploy']) assert.match(help.stdout, new RegExp(`\\n  ${name} `));
  const dir = await mkdtemp(join(tmpdir(), 'landfall-dist-'));
  try {
    await writeFile(join(dir, 'instruments_dist.csv'), 'isin\nA\nB\n');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DUCKDB_PATH: join(dir, 'd.duckdb') };
    const load = await run(process.execPath, [LANDFALL, 'load', '--json', join(dir, 'instruments_dist.csv')], { cwd: REPO, env });
    assert.deepEqual(JSON.parse(load.stdout).rows, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
