// Opens the BigQuery warehouse from runtime settings: GCP_PROJECT, BQ_DATASET, STAGING_BUCKET, and the emulator hosts when set.
import { ConfigError } from '../../errors.js';
import type { Env, Settings } from '../../config/index.js';
import type { Promote } from '../../promote/index.js';
import { bigqueryClient, storageClient } from './client.js';
import type { ClientOptions } from './client.js';
import { bigqueryPromote } from './promote.js';
import { BIGQUERY_CSV, EMULATOR_CSV } from './staging.js';
import { openBigQueryWarehouse } from './warehouse.js';
import type { BigQueryWarehouse } from './warehouse.js';

/** `host:port` or a URL → a URL, as the emulator variables come either way. */
function endpoint(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /^https?:\/\//.test(value) ? value.replace(/\/+$/, '') : `http://${value}`;
}

/** Throws one ConfigError naming every missing variable; the loader calls it at cold start, before any message. */
export function checkBigQuerySettings(settings: Settings): void {
  const problems = [
    ...(settings.gcpProject ? [] : [{ file: 'env', line: 0, message: 'LOADER_BACKEND=bigquery needs GCP_PROJECT' }]),
    ...(settings.bqDataset ? [] : [{ file: 'env', line: 0, message: 'LOADER_BACKEND=bigquery needs BQ_DATASET' }]),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * BIGQUERY_EMULATOR_HOST (goccy/bigquery-emulator) switches to a static token and to the emulator's CSV reader;
 * STORAGE_EMULATOR_HOST points the Storage client (used for NDJSON copies) at fake-gcs-server.
 */
function clientOptions(settings: Settings, env: Env): ClientOptions {
  checkBigQuerySettings(settings);
  const bigqueryEndpoint = endpoint(env.BIGQUERY_EMULATOR_HOST);
  const storageEndpoint = endpoint(env.STORAGE_EMULATOR_HOST)?.replace(/\/storage\/v1$/, '');
  return { projectId: settings.gcpProject!, ...(bigqueryEndpoint ? { bigqueryEndpoint } : {}), ...(storageEndpoint ? { storageEndpoint } : {}) };
}

export async function openBigQueryWarehouseFromSettings(settings: Settings, env: Env): Promise<BigQueryWarehouse> {
  const options = clientOptions(settings, env);
  const bigqueryEndpoint = options.bigqueryEndpoint;
  return openBigQueryWarehouse({
    bq: bigqueryClient(options),
    storage: storageClient(options),
    project: settings.gcpProject!,
    dataset: settings.bqDataset!,
    ...(env.BQ_LOCATION ? { location: env.BQ_LOCATION } : {}),
    reader: bigqueryEndpoint ? EMULATOR_CSV : BIGQUERY_CSV,
    ...(settings.stagingBucket ? { copies: { bucket: settings.stagingBucket } } : {}),
  });
}

/** `landfall promote` on the dataset the settings name (the loader's own settings and emulator variables). */
export function bigqueryPromoteFromSettings(settings: Settings, env: Env): Promote {
  const options = clientOptions(settings, env);
  return bigqueryPromote({ bq: bigqueryClient(options), project: settings.gcpProject!, dataset: settings.bqDataset!, ...(env.BQ_LOCATION ? { location: env.BQ_LOCATION } : {}) });
}
