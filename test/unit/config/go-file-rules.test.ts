// The rules of a mapping's go file and trailer: patterns that pair with the data pattern, formats, counts, markers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblems, mappingProblems as problems, parseMappings as parse } from './helpers.js';

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
