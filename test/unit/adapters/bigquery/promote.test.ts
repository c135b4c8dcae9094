import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bigqueryType, jsonPath } from '../../../../lib/adapters/bigquery/index.js';
import { parseColumnType } from '../../../../lib/promote/index.js';

test('a key is bare in a JSONPath when GoogleSQL writes it bare, else double-quoted with its quotes escaped', () => {
  assert.equal(jsonPath('venue'), '$.venue');
  assert.equal(jsonPath('unit price-€'), '$."unit price-€"');
  assert.equal(jsonPath('Ünïcode-名: net 2'), '$.Ünïcode-名: net 2');
  assert.equal(jsonPath("o'neil"), `$."o'neil"`);
  assert.equal(jsonPath('a.b"c'), '$."a.b\\"c"');
  assert.equal(jsonPath('no\u00a0break'), '$."no\u00a0break"', 'RE2 \\s is ASCII white space only');
});

test('types by their BigQuery names; NUMERIC(P, S) within its limits', () => {
  const names = ['varchar', 'integer', 'bigint', 'double', 'numeric', 'bool', 'date', 'timestamp', 'json'].map((t) => bigqueryType(parseColumnType(t)));
  assert.deepEqual(names, ['STRING', 'INT64', 'INT64', 'FLOAT64', 'NUMERIC', 'BOOL', 'DATE', 'TIMESTAMP', 'JSON']);
  assert.equal(bigqueryType(parseColumnType('DECIMAL(38, 9)')), 'NUMERIC(38, 9)');
  assert.throws(() => bigqueryType(parseColumnType('DECIMAL(38, 10)')), /scale up to 9/);
  assert.throws(() => bigqueryType(parseColumnType('DECIMAL(31)')), /precision up to the scale \+ 29/);
});
