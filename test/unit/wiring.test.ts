// The composition roots: a bad backend setting fails at cold start naming every missing variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../lib/errors.js';
import { connectClients, loadPipelineConfig, loaderDeps } from '../../lib/wiring/index.js';

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
