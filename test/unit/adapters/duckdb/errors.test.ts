import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyDuckDbError, isTransientDuckDbError } from '../../../../lib/adapters/duckdb/index.js';
import { TerminalError, TransientError } from '../../../../lib/errors.js';

test('a lock held by another process, memory pressure and I/O errors are transient', () => {
  assert.ok(isTransientDuckDbError(new Error('IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held')));
  assert.ok(isTransientDuckDbError(new Error('Out of Memory Error: failed to allocate')));
  assert.ok(classifyDuckDbError(new Error('IO Error: No space left on device'), {}) instanceof TransientError);
});

test('bad input and bad statements are terminal; landfall errors pass through', () => {
  assert.ok(!isTransientDuckDbError(new Error('Invalid Input Error: CSV Error on Line: 2')));
  const wrapped = classifyDuckDbError(new Error('Catalog Error: Table x does not exist!\nmore'), { table: 'x' });
  assert.ok(wrapped instanceof TerminalError);
  assert.equal(wrapped.message, 'DuckDB: Catalog Error: Table x does not exist!');
  const own = new TerminalError('mine');
  assert.equal(classifyDuckDbError(own, {}), own);
});
