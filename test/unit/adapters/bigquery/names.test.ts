// BigQuery names and literals: what is rejected up front, and that quoting cannot be escaped from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNewColumns, columnNameProblem, ident, literal, tableIdProblem } from '../../../../lib/adapters/bigquery/index.js';
import { TerminalError } from '../../../../lib/errors.js';

test('column names BigQuery rejects are named in one clear error; flexible names pass', () => {
  for (const ok of ['id', 'with space', 'ünï 名前', "x'y", 'a-b', 'Name']) assert.equal(columnNameProblem(ok), undefined, ok);
  assert.match(columnNameProblem('a"; DROP TABLE t; --') ?? '', /does not accept the column name .* it contains "\\""/);
  assert.match(columnNameProblem('a`b') ?? '', /contains "`"/);
  assert.match(columnNameProblem('_PARTITIONTIME') ?? '', /reserves column names starting with _PARTITION/);
  assert.match(columnNameProblem('x'.repeat(301)) ?? '', /longer than 300/);
  assert.throws(
    () => checkNewColumns(['ok', 'a.b', 'c;d'], { file: 'f.csv', table: 't' }),
    (error: unknown) => error instanceof TerminalError && /f\.csv: cannot create table t: .*"a\.b".*; .*"c;d"/.test(error.message),
  );
});

test('table names BigQuery rejects are refused before any SQL', () => {
  assert.equal(tableIdProblem('raw_trades'), undefined);
  assert.match(tableIdProblem('x`; DROP') ?? '', /does not accept the table name/);
  assert.match(tableIdProblem('') ?? '', /empty/);
});

test('ident and literal escape what could end them', () => {
  assert.equal(ident('a`b\\c'), '`a\\`b\\\\c`');
  assert.equal(literal("it's \\ \n\u0001"), "'it\\'s \\\\ \\x0a\\x01'");
  assert.equal(literal('ünï 名前'), "'ünï 名前'");
});
