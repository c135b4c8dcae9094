// The composition roots: a bad backend setting fails at cold start naming every missing variable; what each loads.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError } from '../../lib/errors.js';
import { DBT_ON_BIGQUERY_EMULATOR, connectClients, dbtRunner, loadDbtTriggerConfig, loadPipelineConfig, loaderDeps } from '../../lib/wiring/index.js';

test('LOADER_BACKEND=bigquery without GCP_PROJECT and BQ_DATASET fails wiring the loader, before any load, naming both', async () => {
  const env = { LOADER_BACKEND: 'bigquery', METADATA_SERVER_DETECTION: 'none' };
  const config = await loadPipelineConfig(env);
  const clients = connectClients(env, config.topology);
  try {
    await assert.rejects(
      loaderDeps(config, clients, () => {}),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.map((p) => p.message).join('; ') === 'LOADER_BACKEND=bigquery needs GCP_PROJECT; LOADER_BACKEND=bigquery needs BQ_DATASET',
    );
  } finally {
    await clients.close();
  }
});

test('the dbt trigger on the BigQuery emulator refuses at cold start with the one line that says why, instead of looking for Cloud Run', async () => {
  const env = { LOADER_BACKEND: 'bigquery', GCP_PROJECT: 'p', BQ_DATASET: 'd', BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:1', METADATA_SERVER_DETECTION: 'none' };
  const config = await loadDbtTriggerConfig(env);
  await assert.rejects(
    dbtRunner(config, env),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 1 && error.problems[0]!.message === DBT_ON_BIGQUERY_EMULATOR,
  );
  assert.doesNotMatch(DBT_ON_BIGQUERY_EMULATOR, /\n/);
  assert.match(DBT_ON_BIGQUERY_EMULATOR, /dbt-duckdb .*emulator.*production.*Cloud Run job/);
});

/** The Google Cloud and DuckDB packages a fresh process has loaded once it has built the named root. */
async function packagesLoadedBy(module: string, root: string): Promise<string[]> {
  const script = [
    "import { createRequire } from 'node:module';",
    `const { ${root} } = await import(${JSON.stringify(new URL(`../../lib/wiring/${module}.ts`, import.meta.url).href)});`,
    `await ${root}({ ...process.env, METADATA_SERVER_DETECTION: 'none' });`,
    'const names = Object.keys(createRequire(import.meta.url).cache).map((p) => /node_modules\\/((?:@google-cloud|@duckdb)\\/[^/]+)\\//.exec(p)?.[1]);',
    'console.log(JSON.stringify([...new Set(names.filter(Boolean))].sort()));',
    'process.exit(0);',
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, NODE_TEST_CONTEXT: '' } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

test('the matcher, the dbt trigger and the sweep start on the Firestore client alone: Pub/Sub loads on a first publish, DuckDB when dbt runs', async () => {
  for (const [module, root] of [['matcher', 'matcherRoot'], ['dbt-trigger', 'dbtTriggerRoot'], ['sweep', 'sweepRoot']]) {
    assert.deepEqual(await packagesLoadedBy(module!, root!), ['@google-cloud/firestore'], root);
  }
});
