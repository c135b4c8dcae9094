import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseLoadArgs } from '../../../../lib/cli/commands/load.js';

test('defaults: config/tables and dev.duckdb, no archive or failed folder', () => {
  const options = parseLoadArgs(['a.csv'], {});
  assert.equal(options.tablesDir, 'config/tables');
  assert.equal(options.duckdbPath, 'dev.duckdb');
  assert.equal(options.archiveDir, undefined);
  assert.deepEqual([options.force, options.json, options.files], [false, false, [resolve('a.csv')]]);
});

test('env (TABLE_CONFIG_PATH, DUCKDB_PATH, ARCHIVE_PATH, FAILED_PATH) is overridden by flags', () => {
  const env = { TABLE_CONFIG_PATH: 'e/t', DUCKDB_PATH: 'e.duckdb', ARCHIVE_PATH: 'e/a', FAILED_PATH: 'e/f' };
  const fromEnv = parseLoadArgs(['x.csv'], env);
  assert.deepEqual([fromEnv.tablesDir, fromEnv.duckdbPath, fromEnv.archiveDir, fromEnv.failedDir], ['e/t', 'e.duckdb', 'e/a', 'e/f']);
  const flags = parseLoadArgs(['--tables', 't', '--duckdb', 'd', '--archive', 'a', '--failed', 'f', '--force', '--json', 'x.csv', 'x.csv'], env);
  assert.deepEqual([flags.tablesDir, flags.duckdbPath, flags.archiveDir, flags.failedDir], ['t', 'd', 'a', 'f']);
  assert.deepEqual([flags.force, flags.json, flags.files], [true, true, [resolve('x.csv')]]);
});

test('an unknown flag is an error', () => {
  assert.throws(() => parseLoadArgs(['--nope', 'x.csv'], {}), /Unknown option '--nope'/);
});
