import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTableMappings } from '../../../lib/config/index.js';
import { assertProblems, problemsOfAsync } from './helpers.js';

const fixtures = 'test/fixtures/config';

test('every *.yaml and *.yml under the root is read, nested folders included, sorted, hidden ones skipped', async () => {
  const root = join(fixtures, 'tables-nested');
  const mappings = await loadTableMappings(root);
  assert.deepEqual(
    mappings.map((m) => [m.source.file, m.source.line, m.pattern, m.table]),
    [
      [join(root, 'desk_a/eu/trades.yaml'), 1, 'trades_eu_*.csv', 'raw_trades'],
      [join(root, 'desk_a/us.yml'), 2, 'trades_us_*.csv', 'raw_trades'],
      [join(root, 'prices.yaml'), 1, 'prices_*.txt', 'raw_prices'],
    ],
  );
  assert.deepEqual(mappings[1]?.goFile, { pattern: 'trades_us_*.ctl', format: 'csv', rowCountColumn: 2 });
  assert.equal(mappings[1]?.delimiter, ';');
  assert.deepEqual([mappings[2]?.delimiter, mappings[2]?.reupload, mappings[2]?.trailer], ['|', 'reject', { rowCountColumn: 2 }]);
});

test('problems across files name each file by the path under the root given, with its line', async () => {
  const root = join(fixtures, 'tables-broken');
  assertProblems(await problemsOfAsync(() => loadTableMappings(root)), [
    [`${root}/a.yaml:4`, 'go_file pattern "trades.go" must have exactly one *'],
    [`${root}/sub/b.yaml:2`, `data pattern "trades_*" and data pattern "trades_*.csv" (${root}/a.yaml:1) can both claim "trades_1.csv"`],
    [`${root}/sub/b.yaml:2`, `table "Raw_Trades" is the same table as "raw_trades" (${root}/a.yaml:1)`],
    [`${root}/sub/b.yaml:2`, 'table "Raw_Trades" has reupload append here but replace'],
  ]);
});

test('a root holding no YAML is a problem naming the root', async () => {
  const root = join(fixtures, 'tables-empty');
  assertProblems(await problemsOfAsync(() => loadTableMappings(root)), [[`${root}:0`, 'no table mappings found: expected *.yaml files']]);
});

test('a missing root is a problem naming the root', async () => {
  const root = join(fixtures, 'no-such-folder');
  assertProblems(await problemsOfAsync(() => loadTableMappings(root)), [[`${root}:0`, 'table mappings folder does not exist']]);
});

test('a root that is one YAML file is read on its own', async () => {
  const path = join(fixtures, 'tables-nested/prices.yaml');
  assert.deepEqual((await loadTableMappings(path)).map((m) => m.table), ['raw_prices']);
});

test('the shipped config/tables holds the sample mappings, CSV and the other formats, in nested folders', async () => {
  const mappings = await loadTableMappings('config/tables');
  assert.deepEqual(
    mappings.map((m) => [m.source.file, m.pattern, m.table]),
    [
      ['config/tables/market_data/eod_prices.yaml', 'eod_prices_*.csv', 'raw_eod_prices'],
      ['config/tables/market_data/quotes.yaml', 'quotes_*.parquet', 'raw_quotes'],
      ['config/tables/reference/instruments.yaml', 'instruments_*.csv', 'raw_instruments'],
      ['config/tables/reference/venues.yaml', 'venues_*.avro', 'raw_venues'],
      ['config/tables/trading/fills.yaml', 'fills_*.jsonl', 'raw_fills'],
      ['config/tables/trading/positions.yaml', 'positions_*.csv', 'raw_positions'],
      ['config/tables/trading/trades.yaml', 'trades_*.csv', 'raw_trades'],
    ],
  );
});

test('a Kubernetes ConfigMap mount (symlinked files, a hidden ..data copy) yields each mapping once', async () => {
  const root = await mkdtemp(join(tmpdir(), 'landfall-configmap-'));
  try {
    await mkdir(join(root, '..2024_01_15'));
    await writeFile(join(root, '..2024_01_15/trades.yaml'), 'trades_*.csv: raw_trades\n');
    await symlink('..2024_01_15', join(root, '..data'));
    await symlink('..data/trades.yaml', join(root, 'trades.yaml'));
    const mappings = await loadTableMappings(root);
    assert.deepEqual(mappings.map((m) => [m.source.file, m.table]), [[join(root, 'trades.yaml'), 'raw_trades']]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
