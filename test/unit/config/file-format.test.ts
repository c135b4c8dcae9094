// A mapping's format: from `format:` or the extension; a trailer or delimiter on a file that is not CSV is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOfName, parseTableMappings } from '../../../lib/config/index.js';
import { classify } from '../../../lib/match/index.js';
import { problemsOf } from './helpers.js';

const parse = (text: string) => parseTableMappings([{ path: 't.yaml', text }]);

test('the extension names the format, before any .gz; other names say none', () => {
  assert.equal(formatOfName('a.jsonl.gz'), 'jsonl');
  assert.equal(formatOfName('a.NDJSON'), 'jsonl');
  assert.equal(formatOfName('x/a.json'), 'jsonl');
  assert.equal(formatOfName('a.parquet'), 'parquet');
  assert.equal(formatOfName('a.avro'), 'avro');
  assert.equal(formatOfName('a.csv.gz'), 'csv');
  assert.equal(formatOfName('a.txt'), undefined);
  assert.equal(formatOfName('a'), undefined);
});

test("a file's format is the mapping's format:, else its extension's, else CSV", () => {
  const mappings = parse('drop_*: { table: drops }\nev_*: { table: events, format: jsonl }\n');
  assert.equal(classify('drop_1.parquet', mappings)?.format, 'parquet');
  assert.equal(classify('drop_1.jsonl.gz', mappings)?.format, 'jsonl');
  assert.equal(classify('drop_1.dat', mappings)?.format, 'csv');
  assert.equal(classify('ev_1.log', mappings)?.format, 'jsonl');
});

test('an unknown format, and a trailer or delimiter on files that are not CSV, are refused with their lines', () => {
  assert.deepEqual(problemsOf(() => parse('a_*: { table: a, format: xml }\n')), ['t.yaml:1: format must be one of csv, jsonl, parquet, avro, got "xml"']);
  assert.deepEqual(problemsOf(() => parse('a_*.jsonl:\n  table: a\n  trailer: { row_count_column: 1 }\n')), [
    't.yaml:3: trailer is for CSV files, and this mapping\'s files are not CSV (its pattern says jsonl)',
  ]);
  assert.deepEqual(problemsOf(() => parse('a_*:\n  table: a\n  format: parquet\n  delimiter: "|"\n')), [
    't.yaml:4: delimiter is for CSV files, and this mapping\'s files are not CSV (its format is parquet)',
  ]);
});
