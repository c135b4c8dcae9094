import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePromoteArgs } from '../../../../lib/cli/commands/promote.js';

test('TABLE and FIELD, the type when given, and the warehouse as `landfall load` finds it', () => {
  const options = parsePromoteArgs(['trades', 'venue'], {});
  assert.deepEqual([options.table, options.field, options.type, options.json], ['trades', 'venue', undefined, false]);
  assert.deepEqual([options.settings.backend, options.duckdbPath], ['duckdb', 'dev.duckdb']);
  const flags = parsePromoteArgs(['--type', 'INT64', '--json', '--duckdb', 'x.duckdb', 't', 'f'], { DUCKDB_PATH: 'e.duckdb' });
  assert.deepEqual([flags.type, flags.json, flags.duckdbPath], ['INT64', true, 'x.duckdb']);
  assert.equal(parsePromoteArgs(['t', 'f'], { DUCKDB_PATH: 'e.duckdb' }).duckdbPath, 'e.duckdb');
  const bigquery = parsePromoteArgs(['t', 'f'], { LOADER_BACKEND: 'bigquery', GCP_PROJECT: 'p', BQ_DATASET: 'd' });
  assert.deepEqual([bigquery.settings.backend, bigquery.settings.gcpProject, bigquery.settings.bqDataset], ['bigquery', 'p', 'd']);
});

test('anything but two arguments, an unknown flag or a bad backend is an error', () => {
  assert.throws(() => parsePromoteArgs(['t'], {}), /expected TABLE and FIELD, got 1/);
  assert.throws(() => parsePromoteArgs(['t', 'f', 'g'], {}), /got 3/);
  assert.throws(() => parsePromoteArgs(['--nope', 't', 'f'], {}), /Unknown option '--nope'/);
  assert.throws(() => parsePromoteArgs(['t', 'f'], { LOADER_BACKEND: 'sqlite' }), /LOADER_BACKEND must be one of/);
});
