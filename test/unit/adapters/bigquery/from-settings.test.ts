// Opening the BigQuery warehouse from settings reports every missing variable at once, before any network call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBigQueryWarehouseFromSettings } from '../../../../lib/adapters/bigquery/index.js';
import { parseSettings } from '../../../../lib/config/index.js';
import { ConfigError } from '../../../../lib/errors.js';

test('LOADER_BACKEND=bigquery without GCP_PROJECT and BQ_DATASET names both', async () => {
  const env = { LOADER_BACKEND: 'bigquery' };
  await assert.rejects(openBigQueryWarehouseFromSettings(parseSettings(env), env), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems.map((p) => p.message), ['LOADER_BACKEND=bigquery needs GCP_PROJECT', 'LOADER_BACKEND=bigquery needs BQ_DATASET']);
    return true;
  });
});
