// The sample batch is consistent with the shipped mappings: every file is claimed, every stated count is right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadTableMappings } from '../../../lib/config/index.js';
import { classify, companionGoName } from '../../../lib/match/index.js';
import { checkRowCount, parseGoFile, parseTrailer } from '../../../lib/validate/index.js';

const samples = 'test/fixtures/samples';

function rowsOf(path: string, delimiter: string): string[][] {
  return parse(readFileSync(path, 'utf8'), { delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
}

function expectedCount(dir: string, name: string, mapping: Awaited<ReturnType<typeof loadTableMappings>>[number], batchKey: string) {
  const records = rowsOf(join(dir, name), mapping.delimiter);
  if (mapping.trailer !== undefined) {
    const lines = readFileSync(join(dir, name), 'utf8').trimEnd().split('\n');
    const { expectedRows } = parseTrailer(lines.at(-1) as string, lines.length, mapping.trailer, name, mapping.delimiter);
    return { expected: { rows: expectedRows, file: name, line: lines.length }, actual: records.length - 2 };
  }
  const goName = companionGoName(mapping, batchKey) as string;
  const { expectedRows, line } = parseGoFile(readFileSync(join(dir, goName), 'utf8'), mapping.goFile!, goName, { name, path: name });
  return { expected: { rows: expectedRows, file: goName, line }, actual: records.length - 1 };
}

test('every sample file is claimed, and every go file or trailer count matches its rows', async () => {
  const mappings = await loadTableMappings('config/tables');
  const seen = new Map<string, string>();
  for (const dir of [samples, join(samples, 'drift'), join(samples, 'formats')]) {
    for (const name of readdirSync(dir).filter((n) => !['README.md', 'drift', 'formats', 'make.py'].includes(n))) {
      const found = classify(name, mappings);
      assert.ok(found, `${name} is claimed by a mapping`);
      seen.set(name, `${found.mapping.table}/${found.role}`);
      if (found.role !== 'data' || (found.mapping.goFile === undefined && found.mapping.trailer === undefined)) continue;
      const { expected, actual } = expectedCount(dir, name, found.mapping, found.batchKey);
      checkRowCount(expected, actual, name);
    }
  }
  assert.deepEqual(Object.fromEntries(seen), {
    'eod_prices_20240115.csv': 'raw_eod_prices/data',
    'instruments_20240115.csv': 'raw_instruments/data',
    'positions_20240115.csv': 'raw_positions/data',
    'positions_20240115.ctl': 'raw_positions/go',
    'trades_20240115.csv': 'raw_trades/data',
    'trades_20240115.go': 'raw_trades/go',
    'trades_20240116.csv': 'raw_trades/data',
    'trades_20240116.go': 'raw_trades/go',
    'fills_20240115.jsonl': 'raw_fills/data',
    'quotes_20240115.parquet': 'raw_quotes/data',
    'venues_20240115.avro': 'raw_venues/data',
  });
});

test('the drifted trades file adds exactly one column, venue', () => {
  const [first] = rowsOf(join(samples, 'trades_20240115.csv'), ',');
  const [later] = rowsOf(join(samples, 'drift/trades_20240116.csv'), ',');
  assert.deepEqual(later?.filter((c) => !first?.includes(c)), ['venue']);
  assert.deepEqual(first?.filter((c) => !later?.includes(c)), []);
});
