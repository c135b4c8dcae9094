// DuckDB's memory limit for a load: sizes in DuckDB's units, plus the reserve per column that appending needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLUMN_RESERVE_BYTES, memoryBytes, memoryForColumns } from '../../../../lib/adapters/duckdb/memory.js';
import { ConfigError } from '../../../../lib/errors.js';

test('sizes read as DuckDB reads them: MB is 10^6, MiB 2^20, a bare number is bytes', () => {
  assert.equal(memoryBytes('256MB'), 256e6);
  assert.equal(memoryBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(memoryBytes('300000000'), 3e8);
  assert.equal(memoryBytes(' 2 gb '), 2e9);
  assert.throws(() => memoryBytes('lots'), ConfigError);
  assert.throws(() => memoryBytes('5 parsecs'), /DUCKDB_MEMORY_LIMIT must be a size such as 256MB/);
});

test('each column of the file adds its reserve to the limit for the rows', () => {
  assert.equal(memoryForColumns(256e6, 10), 256e6 + 10 * COLUMN_RESERVE_BYTES);
  assert.ok(memoryForColumns(256e6, 10_000) > 2.04e9, 'a 10,000-column load needs more than 2.04 GB of DuckDB’s accounting');
});
