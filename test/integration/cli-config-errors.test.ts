// Every command ends cleanly on a configuration problem: the message, exit code 1, no stack trace, no unhandled rejection.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../e2e/harness.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-config-errors-'));
  await writeFile(join(dir, 'topology.yaml'), 'project: p\nregion: [not, text\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', METADATA_SERVER_DETECTION: 'none' };
/** Emulator hosts that nothing listens on: a command that got past its configuration would hang or fail otherwise. */
const unreachable = { FIRESTORE_EMULATOR_HOST: '127.0.0.1:9', PUBSUB_EMULATOR_HOST: '127.0.0.1:9', STORAGE_API_ENDPOINT: 'http://127.0.0.1:9' };

const cases: { command: string[]; env: Record<string, string>; says: RegExp }[] = [
  { command: ['status'], env: { BATCH_CONFIG_PATH: 'test/fixtures/config/tables-empty' }, says: /configuration problem/ },
  { command: ['sweep', '--dry-run'], env: { BATCH_CONFIG_PATH: 'test/fixtures/config/tables-empty' }, says: /configuration problem/ },
  { command: ['status'], env: { LOADER_BACKEND: 'oracle' }, says: /env: LOADER_BACKEND must be one of duckdb, bigquery, got "oracle"/ },
  { command: ['put', 'test/fixtures/samples/instruments_20240115.csv'], env: { TOPOLOGY_PATH: 'TOPOLOGY' }, says: /topology\.yaml: not valid YAML/ },
  { command: ['replay', '--dry-run'], env: { TOPOLOGY_PATH: 'TOPOLOGY' }, says: /topology\.yaml: not valid YAML/ },
  { command: ['plan'], env: { TOPOLOGY_PATH: 'missing.yaml' }, says: /missing\.yaml: cannot read it \(ENOENT\)/ },
  { command: ['deploy', '--dry-run', '--project', 'p'], env: { TOPOLOGY_PATH: 'TOPOLOGY' }, says: /topology\.yaml: not valid YAML/ },
  { command: ['dbt-sources', '--check'], env: { TABLE_CONFIG_PATH: 'test/fixtures/config/tables-broken' }, says: /configuration problem/ },
  { command: ['load', 'test/fixtures/samples/instruments_20240115.csv'], env: { LOADER_WORKERS: 'many' }, says: /LOADER_WORKERS must be a positive whole number/ },
  { command: ['promote', 'raw_trades', 'venue'], env: { LOADER_BACKEND: 'bigquery', GCP_PROJECT: 'p' }, says: /env: LOADER_BACKEND=bigquery needs BQ_DATASET/ },
];

for (const { command, env, says } of cases) {
  const named = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
  test(`landfall ${command[0]} with ${named}: the problem, exit 1, no stack trace`, async () => {
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'TOPOLOGY' ? join(dir, 'topology.yaml') : v]));
    const run = await runCli(command, { ...base, ...unreachable, ...resolved });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, says);
    assert.doesNotMatch(run.stderr, /^\s+at |Unhandled|unhandled|terminated/m, run.stderr);
  });
}
