// The rules a table mapping must keep (patterns, go files, trailers, names, delimiters) and conflicts between mappings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTableMappings } from '../../../lib/config/index.js';
import type { TableMapping } from '../../../lib/config/index.js';
import { ConfigError } from '../../../lib/errors.js';
import { assertProblems, problemsOf } from './helpers.js';

const parse = (files: Record<string, string>): TableMapping[] =>
  parseTableMappings(Object.entries(files).map(([path, text]) => ({ path, text })));
const problems = (files: Record<string, string>): string[] => problemsOf(() => parse(files));

test('a pattern needs exactly one * and no folder', () => {
  assertProblems(problems({ 'p.yaml': 'trades.csv: raw_a\ntrades_*_*.csv: raw_b\nin/trades_*.csv: raw_c\n' }), [
    ['p.yaml:1', 'pattern "trades.csv" must have exactly one * (it stands for the batch key), found 0'],
    ['p.yaml:2', 'pattern "trades_*_*.csv" must have exactly one *'],
    ['p.yaml:3', 'pattern "in/trades_*.csv" must be a file name without "/"'],
  ]);
});

test('a go-file pattern must pair with its data pattern through one *', () => {
  const go = (pattern: string): string => `{ table: raw_t, go_file: { pattern: "${pattern}", format: properties, row_count_key: n } }`;
  const text = [
    `a_*.csv: ${go('a.go')}`,
    `b_*.csv: ${go('b_*_*.go')}`,
    `c_*.csv: ${go('c_*.csv')}`,
    `d_*.csv: ${go('d_*')}`,
    `e_*.csv: ${go('e_*.csv.gz')}`,
  ].join('\n');
  assertProblems(problems({ 'go.yaml': text }), [
    ['go.yaml:1', 'go_file pattern "a.go" must have exactly one *'],
    ['go.yaml:2', 'go_file pattern "b_*_*.go" must have exactly one *'],
    ['go.yaml:3', 'go_file pattern "c_*.csv" must differ from the data pattern'],
    ['go.yaml:4', 'go_file pattern "d_*" overlaps the data pattern "d_*.csv": "d_1.csv" would be both'],
    ['go.yaml:5', 'go_file pattern "e_*.csv.gz" overlaps the data pattern "e_*.csv.gz"'],
  ]);
});

test('go_file format must be known, and each format needs its count', () => {
  const text = [
    'a_*.csv:',
    '  table: raw_a',
    '  go_file: { pattern: a_*.go, format: xml, row_count_key: n }',
    'b_*.csv:',
    '  table: raw_b',
    '  go_file: { pattern: b_*.go, row_count_key: n }',
    'c_*.csv:',
    '  table: raw_c',
    '  go_file: { pattern: c_*.go, format: properties }',
    'd_*.csv:',
    '  table: raw_d',
    '  go_file: { pattern: d_*.go, format: csv }',
    'e_*.csv:',
    '  table: raw_e',
    '  go_file:',
    '    pattern: e_*.go',
    '    format: csv',
    '    row_count_column: 0',
    'f_*.csv:',
    '  table: raw_f',
    '  go_file: { pattern: f_*.go, format: csv, row_count_column: "2" }',
    'g_*.csv:',
    '  table: raw_g',
    '  go_file: { pattern: g_*.go, format: properties, row_count_key: n, row_count_column: 2 }',
    'h_*.csv:',
    '  table: raw_h',
    '  go_file: { pattern: h_*.go, format: properties, row_count_key: "a=b" }',
  ].join('\n');
  assertProblems(problems({ 'fmt.yaml': text }), [
    ['fmt.yaml:3', 'unknown go_file format "xml" (expected properties or csv)'],
    ['fmt.yaml:6', 'go_file needs a format (properties or csv)'],
    ['fmt.yaml:9', 'go_file format properties needs row_count_key'],
    ['fmt.yaml:12', 'go_file format csv needs row_count_column'],
    ['fmt.yaml:18', 'go_file row_count_column must be a whole number of at least 1 (columns count from 1), got 0'],
    ['fmt.yaml:21', 'go_file row_count_column must be a whole number of at least 1 (columns count from 1), got "2"'],
    ['fmt.yaml:24', 'row_count_column does not apply to go_file format properties, which reads row_count_key'],
    ['fmt.yaml:27', 'go_file row_count_key must be a key name without "="'],
  ]);
});

test('a go file can name the file it vouches for and its producer’s status, each where its format keeps it', () => {
  const [seed] = parse({ 's.yaml': 'p_*.csv:\n  table: raw_p\n  go_file: { pattern: p_*.ctl, format: csv, name_column: 1, row_count_column: 2, status_column: 3, status_ok: [SUCCESS, OK] }\n' });
  assert.deepEqual(seed?.goFile, { pattern: 'p_*.ctl', format: 'csv', rowCountColumn: 2, nameColumn: 1, statusColumn: 3, statusOk: ['SUCCESS', 'OK'] });
  const text = [
    'a_*.csv:',
    '  table: raw_a',
    '  go_file: { pattern: a_*.go, format: csv, row_count_column: 2, status_ok: SUCCESS }',
    'b_*.csv:',
    '  table: raw_b',
    '  go_file: { pattern: b_*.go, format: csv, row_count_column: 2, name_column: 2 }',
    'c_*.csv:',
    '  table: raw_c',
    '  go_file: { pattern: c_*.go, format: csv, row_count_column: 2, name_key: file }',
    'd_*.csv:',
    '  table: raw_d',
    '  go_file: { pattern: d_*.go, format: properties, row_count_key: n, status_key: s, status_ok: [] }',
  ].join('\n');
  assertProblems(problems({ 'names.yaml': text }), [
    ['names.yaml:3', 'go_file status_ok needs status_column (where the status is)'],
    ['names.yaml:6', 'go_file row_count_column, name_column and status_column must each name a different column'],
    ['names.yaml:9', 'name_key does not apply to go_file format csv, which reads row_count_column, name_column, status_column'],
    ['names.yaml:12', 'go_file status_ok must be a status or a list of them'],
  ]);
});

test('a trailer needs a 1-based row_count_column', () => {
  const text = 'a_*.csv:\n  table: raw_a\n  trailer: {}\nb_*.csv:\n  table: raw_b\n  trailer: { row_count_column: -1 }\nc_*.csv:\n  table: raw_c\n  trailer: 2\n';
  assertProblems(problems({ 't.yaml': text }), [
    ['t.yaml:3', 'trailer needs row_count_column'],
    ['t.yaml:6', 'trailer row_count_column must be a whole number of at least 1'],
    ['t.yaml:9', 'trailer must be a mapping { row_count_column: N, marker: TEXT }, got 2'],
  ]);
});

test('a trailer marker is the plain text its line starts with', () => {
  const entries = [
    'a_*.csv:\n  table: raw_a\n  trailer: { row_count_column: 2, marker: TRAILER }',
    'b_*.csv:\n  table: raw_b\n  trailer: { row_count_column: 2, marker: 99 }',
    'c_*.csv:\n  table: raw_c\n  trailer: { row_count_column: 2, marker: "" }',
    'd_*.csv:\n  table: raw_d\n  trailer: { row_count_column: 2, marker: " T " }',
    'e_*.csv:\n  table: raw_e\n  trailer: { row_count_column: 2, marker: [T] }',
  ];
  assertProblems(problems({ 'm.yaml': entries.join('\n') }), [
    ['m.yaml:9', 'trailer marker must be the text the trailer line starts with, e.g. TRAILER, got ""'],
    ['m.yaml:12', 'trailer marker must be the text the trailer line starts with, e.g. TRAILER, got " T "'],
    ['m.yaml:15', 'trailer marker must be the text the trailer line starts with, e.g. TRAILER, got a list'],
  ]);
  const good = parse({ 'm.yaml': entries.slice(0, 2).join('\n') });
  assert.deepEqual(good.map((m) => m.trailer), [{ rowCountColumn: 2, marker: 'TRAILER' }, { rowCountColumn: 2, marker: '99' }]);
});

test('go_file and trailer on one mapping is refused at the later of the two', () => {
  const text = 'a_*.csv:\n  table: raw_a\n  trailer: { row_count_column: 2 }\n  go_file: { pattern: a_*.go, format: properties, row_count_key: n }\n';
  assertProblems(problems({ 'both.yaml': text }), [['both.yaml:4', 'a mapping takes go_file or trailer, not both']]);
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
