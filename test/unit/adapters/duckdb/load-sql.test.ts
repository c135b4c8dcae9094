import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { FIELD_COUNT_ERROR, createTableAsSql, insertSql } from '../../../../lib/adapters/duckdb/load-sql.js';
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
  assert.match(sql, /^CREATE TABLE "t" AS SELECT c1 AS "a", c2 AS "B ""c", CAST\(NULL AS JSON\) AS "_extra", 'L' AS "_load_id" FROM read_csv\('\/x\.csv', columns = \{'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR'\}/);
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
  assert.match(sql, /read_csv\('\/tmp\/it''s\.csv', columns = \{'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR'\}/);
  assert.match(sql, /delim = ';'.*strict_mode = true, null_padding = true.*allow_quoted_nulls = false/);
  assert.match(sql, /WHERE CASE WHEN c3 IS NOT NULL OR c2 IS NULL THEN error\(/);
});

/** Reads `content` with the insert's own reader and check, returning the rows or DuckDB's error. */
async function readWithCheck(content: string, columns: number): Promise<string[][] | string> {
  const dir = await mkdtemp(join(tmpdir(), 'load-sql-'));
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const path = join(dir, 'f.csv');
    await writeFile(path, content);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE t (${Array.from({ length: columns }, (_, i) => `v${i + 1} VARCHAR`).join(', ')}, "_extra" JSON, "_load_id" VARCHAR)`);
    const names = Array.from({ length: columns }, (_, i) => `v${i + 1}`);
    const plan = planColumns(names, [...names, '_extra', '_load_id']);
    try {
      await connection.run(insertSql({ table: 't', plan, columnCount: columns, loadId: 'L', path, delimiter: ',', parallel: false }));
    } catch (error) {
      return (error as Error).message;
    } finally {
      connection.closeSync();
    }
    const again = await instance.connect();
    const rows = (await again.runAndReadAll(`SELECT ${names.join(', ')} FROM t ORDER BY ALL`)).getRows() as string[][];
    again.closeSync();
    return rows;
  } finally {
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a row with more fields than the header fails the statement, even when the extra fields are empty', async () => {
  for (const row of ['3,4,,', '3,4,', '3,4,""', '3,4,,,']) {
    const result = await readWithCheck(`a,b\n1,2\n${row}\n`, 2);
    assert.equal(typeof result, 'string', `${row} loaded`);
    assert.match(result as string, /Expected Number of Columns|another number of fields/);
  }
});

test('a row with fewer fields fails it; empty fields load as empty strings, never NULL', async () => {
  assert.match((await readWithCheck('a,b\n1\n', 2)) as string, new RegExp(FIELD_COUNT_ERROR));
  assert.deepEqual(await readWithCheck('a,b\n,\n"",x\n', 2), [['', ''], ['', 'x']]);
});

test('blank lines are no rows, in a one-column file too; a quoted empty line is one', async () => {
  assert.deepEqual(await readWithCheck('v\nx\ny\n\n\n', 1), [['x'], ['y']]);
  assert.deepEqual(await readWithCheck('v\nx\n""\n\n', 1), [[''], ['x']]);
});
