import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseCsvFailure } from '../../../../lib/adapters/duckdb/index.js';
import { createTableAsSql, insertSql } from '../../../../lib/adapters/duckdb/load-sql.js';
import { planColumns } from '../../../../lib/load/index.js';
import { ident, literal } from '../../../../lib/adapters/duckdb/sql.js';

test('identifiers and literals are quoted with their quotes doubled', () => {
  assert.equal(ident('a"; DROP TABLE x; --'), '"a""; DROP TABLE x; --"');
  assert.equal(literal("it's"), "'it''s'");
});

test('a literal reads back in DuckDB as the same string, quotes and NUL bytes included', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    for (const value of ["it's", "a\0b'\0", '\0', '']) {
      const [row] = (await connection.runAndReadAll(`SELECT ${literal(value)} AS v`)).getRowObjectsJS();
      assert.equal(row?.v, value);
    }
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
});

test('a new table has the header columns as VARCHAR under their own names, then _extra JSON and _load_id', () => {
  const sql = createTableAsSql({ table: 't', header: ['a', 'B "c'], columnCount: 2, loadId: 'L', path: '/x.csv', delimiter: ',' });
  assert.match(sql, /^CREATE TABLE "t" AS SELECT c1 AS "a", c2 AS "B ""c", CAST\(NULL AS JSON\) AS "_extra", 'L' AS "_load_id" FROM read_csv\('\/x\.csv', columns = \{'c1': 'VARCHAR', 'c2': 'VARCHAR'\}/);
});

test('columns match case-insensitively; unknown ones go to _extra; reserved table columns never match', () => {
  const plan = planColumns(['ID', 'venue', 'name'], ['id', 'name', '_extra', '_load_id']);
  assert.deepEqual(plan, { known: [{ position: 1, column: 'id' }, { position: 3, column: 'name' }], extra: [{ position: 2, key: 'venue' }] });
});

test('the insert reads synthetic columns and keeps file names out of read_csv options', () => {
  const sql = insertSql({
    table: 't',
    plan: planColumns(["x'y", 'a'], ['a', '_extra', '_load_id']),
    columnCount: 2,
    loadId: '00000000-0000-4000-8000-000000000000',
    path: "/tmp/it's.csv",
    delimiter: ';',
  });
  assert.match(sql, /^INSERT INTO "t" \("a", "_extra", "_load_id"\) SELECT c2, json_object\('x''y', c1\), '00000000-/);
  assert.match(sql, /read_csv\('\/tmp\/it''s\.csv', columns = \{'c1': 'VARCHAR', 'c2': 'VARCHAR'\}/);
  assert.match(sql, /delim = ';'.*strict_mode = true.*force_not_null = \['c1', 'c2'\]/);
});

test('DuckDB CSV errors become a record line and a reason a person can act on', () => {
  const more = 'Invalid Input Error: CSV Error on Line: 3\nOriginal Line: 4,5,6,7\nExpected Number of Columns: 3 Found: 4\n';
  assert.deepEqual(parseCsvFailure(more), { recordLine: 3, what: 'the row has 4 fields, but the header has 3' });
  const utf = 'Invalid Input Error: CSV Error on Line: 9\nOriginal Line: x\nInvalid unicode (byte sequence mismatch) detected.';
  assert.equal(parseCsvFailure(utf)?.what, 'the bytes are not valid UTF-8 (files must be UTF-8 encoded)');
  assert.equal(parseCsvFailure('IO Error: Could not set lock on file'), undefined);
});
