import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalError } from '../../../lib/errors.js';
import { castFailure, keysOf, parseColumnType, promotionOf } from '../../../lib/promote/index.js';

test('a type is read in any case, with the synonyms of both warehouses; the default is the string type', () => {
  assert.deepEqual(parseColumnType(undefined), { kind: 'string' });
  assert.deepEqual(['varchar', 'STRING', 'Text'].map((t) => parseColumnType(t).kind), ['string', 'string', 'string']);
  assert.deepEqual(['INT', 'integer', 'BIGINT', 'int64'].map((t) => parseColumnType(t).kind), ['integer', 'integer', 'bigint', 'bigint']);
  assert.deepEqual(['double', 'FLOAT64', 'bool', 'BOOLEAN', 'date', 'timestamp', 'json'].map((t) => parseColumnType(t).kind), [
    'double', 'double', 'boolean', 'boolean', 'date', 'timestamp', 'json',
  ]);
  assert.deepEqual(parseColumnType('numeric'), { kind: 'decimal' });
  assert.deepEqual(parseColumnType(' DECIMAL( 12 , 2 ) '), { kind: 'decimal', precision: 12, scale: 2 });
  assert.deepEqual(parseColumnType('NUMERIC(10)'), { kind: 'decimal', precision: 10, scale: 0 });
});

test('any other type is refused with the list of accepted ones', () => {
  for (const bad of ['FLOAT', 'INTEGER(3)', 'DECIMAL(2,3)', 'DECIMAL(0)', 'STRUCT<a INT64>', 'DATE; DROP TABLE t', '']) {
    assert.throws(() => parseColumnType(bad), (e: unknown) => e instanceof TerminalError && e.message.startsWith(`--type ${JSON.stringify(bad)}: `), bad);
  }
  assert.throws(() => parseColumnType('FLOAT'), /use one of VARCHAR, STRING, .* JSON/);
});

test('a field is trimmed and held to the header-name rules', () => {
  assert.equal(promotionOf('t', '  venue ').field, 'venue');
  assert.throws(() => promotionOf('t', ''), /the name is empty/);
  assert.throws(() => promotionOf('t', 'a\nb'), /contains a control character/);
  assert.throws(() => promotionOf('t', '_LOAD_ID'), /reserved by landfall/);
  assert.throws(() => promotionOf('t', 'x'.repeat(301)), /301 characters long, more than the 300/);
});

test('the keys that are the field: matched case-insensitively, as a load matches columns', () => {
  assert.deepEqual(keysOf('Venue', ['venue', 'desk', 'VENUE', 'venue', 'venues']), ['VENUE', 'venue']);
  assert.deepEqual(keysOf('x', ['y']), []);
});

test('a value that does not cast is named, cut to 60 characters', () => {
  const error = castFailure({ table: 't', field: 'f', type: { kind: 'integer' } }, 'INT64', 'L1', 'y'.repeat(61));
  assert.equal(error.message, `cannot promote t.f to INT64: a row of load L1 holds "${'y'.repeat(60)}…", which does not cast to INT64: nothing changed`);
  assert.deepEqual(error.context, { table: 't', loadId: 'L1' });
});
