import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableMapping } from '../../../lib/config/index.js';
import { FILE_ROLES, classify, companionGoName, dataNameOf, dataPatterns } from '../../../lib/match/index.js';

const source = { file: 'test.yaml', line: 1 };
const trades: TableMapping = {
  pattern: 'trades_*.csv',
  table: 'raw_trades',
  goFile: { pattern: 'trades_*.go', format: 'properties', rowCountKey: 'record_count' },
  delimiter: ',',
  reupload: 'replace',
  source,
};
const instruments: TableMapping = { pattern: 'instruments_*.csv', table: 'raw_instruments', delimiter: ',', reupload: 'replace', source };
const gzipped: TableMapping = { pattern: 'ticks_*.csv.gz', table: 'raw_ticks', delimiter: ',', reupload: 'replace', source };
const mappings = [trades, instruments, gzipped];

test('FILE_ROLES lists the roles', () => {
  assert.deepEqual([...FILE_ROLES], ['data', 'go']);
});

test('a data file is classified with its batch key', () => {
  assert.deepEqual(classify('trades_20240115.csv', mappings), { mapping: trades, role: 'data', batchKey: '20240115', compressed: false, format: 'csv' });
});

test('a go file is classified to its mapping', () => {
  assert.deepEqual(classify('trades_20240115.go', mappings), { mapping: trades, role: 'go', batchKey: '20240115', compressed: false, format: 'csv' });
});

test('folders in the object name are ignored', () => {
  const found = classify('incoming/desk-a/instruments_20240115.csv', mappings);
  assert.equal(found?.mapping, instruments);
  assert.equal(found?.batchKey, '20240115');
});

test('a .gz twin of a data pattern matches as compressed', () => {
  assert.deepEqual(classify('incoming/trades_K.csv.gz', mappings), { mapping: trades, role: 'data', batchKey: 'K', compressed: true, format: 'csv' });
  assert.deepEqual(classify('ticks_1.csv.gz', mappings), { mapping: gzipped, role: 'data', batchKey: '1', compressed: true, format: 'csv' });
  assert.equal(classify('ticks_1.csv', mappings), undefined, 'a .gz pattern does not match the uncompressed name');
  assert.equal(classify('trades_K.go.gz', mappings), undefined, 'go files have no .gz twin');
});

test('names no mapping claims are undefined', () => {
  for (const name of ['positions_1.csv', 'trades_.csv', 'incoming/', 'trades_1.csv.bak', 'TRADES_1.csv']) {
    assert.equal(classify(name, mappings), undefined, name);
  }
});

test('companionGoName expands the go pattern with the batch key', () => {
  assert.equal(companionGoName(trades, '20240115'), 'trades_20240115.go');
  assert.equal(companionGoName(instruments, '20240115'), undefined);
});

test('dataNameOf and dataPatterns', () => {
  assert.equal(dataNameOf(trades, '20240115'), 'trades_20240115.csv');
  assert.deepEqual(dataPatterns(trades), ['trades_*.csv', 'trades_*.csv.gz']);
  assert.deepEqual(dataPatterns(gzipped), ['ticks_*.csv.gz']);
});
