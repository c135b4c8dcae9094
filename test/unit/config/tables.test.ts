// Table mappings: the forms of the spec, YAML problems with their lines, unknown keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblems, mappingProblems as problems, parseMappings as parse } from './helpers.js';

const SPEC_EXAMPLE = `instruments_*.csv: raw_instruments          # simple: no validation

trades_*.csv:                               # go file, properties format
  table: raw_trades
  go_file: { pattern: trades_*.go, format: properties, row_count_key: record_count }

positions_*.csv:                            # go file, CSV format (1-based column)
  table: raw_positions
  go_file: { pattern: positions_*.ctl, format: csv, row_count_column: 2 }

eod_prices_*.csv:                           # trailer record (last line), 1-based column
  table: raw_eod_prices
  trailer: { row_count_column: 1 }
`;

test('the SPEC example parses into four mappings with defaults and source lines', () => {
  const defaults = { delimiter: ',', reupload: 'replace' } as const;
  assert.deepEqual(parse({ 'spec.yaml': SPEC_EXAMPLE }), [
    { pattern: 'instruments_*.csv', table: 'raw_instruments', ...defaults, source: { file: 'spec.yaml', line: 1 } },
    {
      pattern: 'trades_*.csv',
      table: 'raw_trades',
      goFile: { pattern: 'trades_*.go', format: 'properties', rowCountKey: 'record_count' },
      ...defaults,
      source: { file: 'spec.yaml', line: 3 },
    },
    {
      pattern: 'positions_*.csv',
      table: 'raw_positions',
      goFile: { pattern: 'positions_*.ctl', format: 'csv', rowCountColumn: 2 },
      ...defaults,
      source: { file: 'spec.yaml', line: 7 },
    },
    { pattern: 'eod_prices_*.csv', table: 'raw_eod_prices', trailer: { rowCountColumn: 1 }, ...defaults, source: { file: 'spec.yaml', line: 11 } },
  ]);
});

test('delimiter and reupload are read; mappings keep file order', () => {
  const mappings = parse({
    'b.yaml': 'b_*.tsv: { table: raw_b, delimiter: "\\t", reupload: append }\n',
    'a.yaml': 'a_*.psv:\n  table: raw_a\n  delimiter: "|"\n  reupload: reject\n',
  });
  assert.deepEqual(
    mappings.map((m) => [m.pattern, m.delimiter, m.reupload, m.source.file]),
    [
      ['b_*.tsv', '\t', 'append', 'b.yaml'],
      ['a_*.psv', '|', 'reject', 'a.yaml'],
    ],
  );
});

test('two mappings may write one table when they agree', () => {
  const mappings = parse({
    'eu.yaml': 'trades_eu_*.csv: raw_trades\n',
    'us.yaml': 'trades_us_*.csv: { table: raw_trades, delimiter: ";" }\n',
  });
  assert.deepEqual(mappings.map((m) => m.table), ['raw_trades', 'raw_trades']);
});

test('bad YAML is reported with its line, and the rest of the files are still checked', () => {
  assertProblems(problems({ 'bad.yaml': 'a_*.csv: raw_a\nb_*.csv: [raw_b\n', 'ok.yaml': 'c_*.csv: "raw c"\n' }), [
    ['bad.yaml:3', 'invalid YAML: Flow sequence in block collection must be sufficiently indented'],
    ['ok.yaml:1', 'table "raw c" is not a safe warehouse name'],
  ]);
});

test('a pattern given twice in one file is a YAML duplicate key at the second line', () => {
  assertProblems(problems({ 'dup.yaml': 'a_*.csv: raw_a\n\na_*.csv: raw_b\n' }), [['dup.yaml:3', 'invalid YAML: Map keys must be unique']]);
});

test('several YAML documents in one file are refused', () => {
  assertProblems(problems({ 'multi.yaml': 'a_*.csv: raw_a\n---\nb_*.csv: raw_b\n' }), [['multi.yaml:2', 'invalid YAML: Source contains multiple documents']]);
});

test('unknown keys are reported where they are written, at every level', () => {
  const text = [
    'a_*.csv:',
    '  table: raw_a',
    '  go_fle: { pattern: a_*.go }',
    '  go_file:',
    '    pattern: a_*.go',
    '    format: properties',
    '    row_count_key: n',
    '    row_count: 3',
    'b_*.csv:',
    '  table: raw_b',
    '  trailer: { row_count_column: 1, skip: true }',
  ].join('\n');
  assertProblems(problems({ 'keys.yaml': text }), [
    ['keys.yaml:3', 'unknown key "go_fle" in "a_*.csv" (allowed: table, format, go_file, trailer, delimiter, reupload, max_wait)'],
    ['keys.yaml:8', 'unknown key "row_count" in go_file (allowed: pattern, format, row_count_key, row_count_column, name_key, name_column, status_key, status_column, status_ok)'],
    ['keys.yaml:11', 'unknown key "skip" in trailer (allowed: row_count_column, marker)'],
  ]);
});

