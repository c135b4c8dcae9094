// The rules a table mapping must keep (patterns, names, delimiters) and conflicts between mappings; go files and
// trailers are in go-file-rules.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../lib/errors.js';
import { parseTableMappings } from '../../../lib/config/index.js';
import { assertProblems, mappingProblems as problems, parseMappings as parse, problemsOf } from './helpers.js';

test('a pattern needs exactly one * and no folder', () => {
  assertProblems(problems({ 'p.yaml': 'trades.csv: raw_a\ntrades_*_*.csv: raw_b\nin/trades_*.csv: raw_c\n' }), [
    ['p.yaml:1', 'pattern "trades.csv" must have exactly one * (it stands for the batch key), found 0'],
    ['p.yaml:2', 'pattern "trades_*_*.csv" must have exactly one *'],
    ['p.yaml:3', 'pattern "in/trades_*.csv" must be a file name without "/"'],
  ]);
});

test('table names must be safe warehouse identifiers and not reserved', () => {
  const long = 'x'.repeat(1025);
  const text = [
    'a_*.csv: raw-trades',
    'b_*.csv: 1trades',
    'c_*.csv: load_metadata',
    'd_*.csv: { table: LOAD_Metadata }',
    `e_*.csv: ${long}`,
    'f_*.csv: { table: 42 }',
    'g_*.csv: { delimiter: ";" }',
    'h_*.csv: \'a"; DROP TABLE x; --\'',
    `i_*.csv: ${'y'.repeat(1024)}`,
  ].join('\n');
  assertProblems(problems({ 'names.yaml': text }), [
    ['names.yaml:1', 'table "raw-trades" is not a safe warehouse name'],
    ['names.yaml:2', 'table "1trades" is not a safe warehouse name'],
    ['names.yaml:3', 'table "load_metadata" is reserved'],
    ['names.yaml:4', 'table "LOAD_Metadata" is reserved'],
    ['names.yaml:5', `table "${long}" is not a safe warehouse name`],
    ['names.yaml:6', 'table must be a name, got 42'],
    ['names.yaml:7', '"g_*.csv" needs a table'],
    ['names.yaml:8', 'table "a\\"; DROP TABLE x; --" is not a safe warehouse name'.replace('\\', '')],
  ]);
});

test('a mapping value must be a table name or a mapping', () => {
  assertProblems(problems({ 'v.yaml': 'a_*.csv: [raw_a]\nb_*.csv:\nc_*.csv: raw_c\n' }), [
    ['v.yaml:1', '"a_*.csv" must map to a table name or to { table, go_file | trailer, delimiter, reupload }, got a list'],
    ['v.yaml:2', 'got nothing'],
  ]);
});

test('a mapping key must be a pattern', () => {
  assertProblems(problems({ 'k.yaml': 'a_*.csv: raw_a\n: raw_b\n[x]: raw_c\n' }), [
    ['k.yaml:2', 'a key must be plain text'],
    ['k.yaml:3', 'a key must be plain text'],
  ]);
});

test('the top level must be a mapping', () => {
  assertProblems(problems({ 'list.yaml': '# mappings\n- a_*.csv: raw_a\n' }), [['list.yaml:2', 'the top level must map file patterns to tables']]);
});

test('delimiter must be one usable character; reupload one of the policies', () => {
  const text = [
    'a_*.csv: { table: raw_a, delimiter: ";;" }',
    'b_*.csv: { table: raw_b, delimiter: "" }',
    'c_*.csv: { table: raw_c, delimiter: \'"\' }',
    'd_*.csv: { table: raw_d, reupload: overwrite }',
    'e_*.csv: { table: raw_e, delimiter: "é" }',
  ].join('\n');
  assertProblems(problems({ 'd.yaml': text }), [
    ['d.yaml:1', 'delimiter must be exactly one character, got ";;"'],
    ['d.yaml:2', 'delimiter must be exactly one character, got "" (YAML gives | > # & * ! meaning: quote them'],
    ['d.yaml:3', 'delimiter "\\"" can\'t be used: CSV reserves it'],
    ['d.yaml:4', 'reupload must be one of replace, append, reject, got "overwrite"'],
  ]);
});

test('two mappings that can claim one file name are reported at the later one, naming the earlier', () => {
  assertProblems(
    problems({
      'a.yaml': 'trades_*.csv: raw_trades\npositions_*.csv: { table: raw_positions, go_file: { pattern: pos_*.go, format: properties, row_count_key: n } }\n',
      'sub/b.yaml': '# comment\ntrades_eu_*.csv: raw_trades_eu\n',
      'sub/c.yaml': 'trades_*.csv.gz: raw_gz\npos_*: raw_pos\n',
    }),
    [
      ['sub/b.yaml:2', 'data pattern "trades_eu_*.csv" and data pattern "trades_*.csv" (a.yaml:1) can both claim "trades_eu_1.csv"'],
      ['sub/c.yaml:1', 'data pattern "trades_*.csv.gz" and data pattern "trades_*.csv.gz" (a.yaml:1) can both claim "trades_1.csv.gz"'],
      ['sub/c.yaml:1', 'data pattern "trades_*.csv.gz" and data pattern "trades_eu_*.csv.gz" (sub/b.yaml:2) can both claim "trades_eu_1.csv.gz"'],
      ['sub/c.yaml:2', 'data pattern "pos_*" and go file pattern "pos_*.go" (a.yaml:2) can both claim "pos_1.go"'],
    ],
  );
});

test('one table spelled in two cases, or with two reupload policies, conflicts', () => {
  assertProblems(
    problems({
      'a.yaml': 'a_*.csv: raw_trades\n',
      'b.yaml': 'b_*.csv: raw_Trades\nc_*.csv: { table: raw_trades, reupload: append }\n',
    }),
    [
      ['b.yaml:1', 'table "raw_Trades" is the same table as "raw_trades" (a.yaml:1): the warehouse ignores case, so spell it one way'],
      ['b.yaml:2', 'table "raw_trades" has reupload append here but replace for "a_*.csv" (a.yaml:1): mappings writing one table must agree'],
    ],
  );
});

test('no mappings at all is a problem', () => {
  assertProblems(problemsOf(() => parseTableMappings([])), [['(no files):0', 'no table mappings were given']]);
  assertProblems(problems({ 'empty.yaml': '', 'comments.yaml': '# nothing yet\n' }), [
    ['empty.yaml:1', 'defines no table mappings, and no other file does either'],
    ['comments.yaml:1', 'defines no table mappings, and no other file does either'],
  ]);
  assert.equal(parse({ 'empty.yaml': '', 'one.yaml': 'a_*.csv: raw_a\n' }).length, 1, 'an empty file beside others is fine');
});

test('every problem of every file is reported at once, and the message lists them as file:line', () => {
  const files = {
    'x.yaml': 'a.csv: raw_a\nb_*.csv: { table: raw_b, colour: red }\n',
    'y.yaml': 'c_*.csv: { table: raw_c, go_file: { pattern: c_*.go, format: json } }\nd_*.csv: load_metadata\n',
  };
  try {
    parse(files);
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.retryable, false);
    assert.deepEqual(
      error.problems.map((p) => `${p.file}:${p.line}`),
      ['x.yaml:1', 'x.yaml:2', 'y.yaml:1', 'y.yaml:2'],
    );
    assert.match(error.message, /^4 configuration problem\(s\):\n  x\.yaml:1: pattern "a\.csv"/);
  }
});
