import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableMapping } from '../../../lib/config/index.js';
import { loadTableMappings } from '../../../lib/config/index.js';
import { batchesOfTable, loadBatchDefinitions, parseBatchDefinitions } from '../../../lib/transform/index.js';
import type { BatchDefinition } from '../../../lib/transform/index.js';
import { assertProblems, problemsOf, problemsOfAsync } from '../config/helpers.js';

const mapping = (pattern: string, table: string): TableMapping => ({
  pattern,
  table,
  delimiter: ',',
  reupload: 'replace',
  source: { file: 'tables.yaml', line: 1 },
});
const MAPPINGS = [mapping('trades_*.csv', 'raw_trades'), mapping('prices_*.csv', 'raw_prices'), mapping('fx_*.csv', 'Raw_FX')];

const parse = (files: Record<string, string>): BatchDefinition[] =>
  parseBatchDefinitions(Object.entries(files).map(([path, text]) => ({ path, text })), MAPPINGS.map((m) => m.table));
const problems = (files: Record<string, string>): string[] => problemsOf(() => parse(files));

test('both policies parse; policy defaults to all_tables; select may be a list (a union)', () => {
  const text = [
    'daily:',
    '  tables: [raw_trades, raw_prices]',
    '  select: tag:daily',
    '  policy: all_tables',
    'intraday:',
    '  tables:',
    '    - raw_prices',
    '  select: [stg_prices+, "path:models/marts"]',
    '  policy: each_load',
    '  debounce_seconds: 30',
    'fx:',
    '  tables: [Raw_FX]',
    '  select: "source:landfall.Raw_FX+   fx_rates"',
  ].join('\n');
  assert.deepEqual(parse({ 'b.yaml': text }), [
    { name: 'daily', tables: ['raw_trades', 'raw_prices'], select: 'tag:daily', policy: { kind: 'all_tables' }, perFolder: false, source: { file: 'b.yaml', line: 1 } },
    {
      name: 'intraday',
      tables: ['raw_prices'],
      select: 'stg_prices+ path:models/marts',
      policy: { kind: 'each_load', debounceSeconds: 30 },
      perFolder: false,
      source: { file: 'b.yaml', line: 5 },
    },
    { name: 'fx', tables: ['Raw_FX'], select: 'source:landfall.Raw_FX+ fx_rates', policy: { kind: 'all_tables' }, perFolder: false, source: { file: 'b.yaml', line: 11 } },
  ]);
});

test('per_folder makes each folder a batch of its own; it is true or false', () => {
  const text = 'clients:\n  tables: [raw_trades]\n  select: tag:c\n  per_folder: true\nodd:\n  tables: [raw_trades]\n  select: tag:c\n  per_folder: yes please\n';
  assertProblems(problems({ 'p.yaml': text }), [['p.yaml:8', 'per_folder must be true or false (whether each folder is a batch of its own), got "yes please"']]);
  assert.equal(parse({ 'p.yaml': text.split('odd:')[0]! })[0]?.perFolder, true);
});

test('member tables must be tables the mappings write, spelled as they spell them, listed once', () => {
  const text = 'b:\n  tables:\n    - raw_trades\n    - raw_positions\n    - RAW_TRADES\n    - raw_trades\n    - [x]\n  select: tag:daily\n';
  assertProblems(problems({ 'm.yaml': text }), [
    ['m.yaml:4', 'table raw_positions is not written by any table mapping (known: raw_trades, raw_prices, Raw_FX)'],
    ['m.yaml:5', 'table RAW_TRADES is spelled raw_trades in the table mappings: use that spelling'],
    ['m.yaml:6', 'table raw_trades is listed twice'],
    ['m.yaml:7', 'each member of tables must be a table name'],
  ]);
});

test('tables, select and the each_load debounce are required', () => {
  const text = [
    'a:',
    '  select: tag:a',
    'b:',
    '  tables: [raw_trades]',
    'c:',
    '  tables: []',
    '  select: tag:c',
    'd:',
    '  tables: [raw_trades]',
    '  select: tag:d',
    '  policy: each_load',
  ].join('\n');
  assertProblems(problems({ 'r.yaml': text }), [
    ['r.yaml:1', 'batch a needs tables (the member tables that complete a batch key)'],
    ['r.yaml:3', 'batch b needs select (the dbt selection to build, e.g. "tag:daily")'],
    ['r.yaml:6', 'tables must be a non-empty list of table names, got a list'],
    ['r.yaml:8', 'policy each_load needs debounce_seconds'],
  ]);
});

test('policy, debounce, select and keys are checked where they are written', () => {
  const text = [
    'a:',
    '  tables: [raw_trades]',
    '  select: tag:a',
    '  policy: when_ready',
    'b:',
    '  tables: [raw_trades]',
    '  select: tag:b',
    '  policy: each_load',
    '  debounce_seconds: -5',
    'c:',
    '  tables: [raw_trades]',
    '  select: tag:c',
    '  debounce_seconds: 10',
    'd:',
    '  tables: [raw_trades]',
    '  select: "tag:d; rm -rf /"',
    'e:',
    '  tables: [raw_trades]',
    '  select: --full-refresh',
    'f:',
    '  tables: [raw_trades]',
    '  select: ""',
    '  vars: { x: 1 }',
    'g:',
    '  tables: [raw_trades]',
    '  select: tag:g',
    '  expected_by: 3 hours',
    'h:',
    '  tables: [raw_trades]',
    '  select: tag:h',
    '  policy: each_load',
    '  debounce_seconds: 5',
    '  expected_by: 1h',
  ].join('\n');
  assertProblems(problems({ 'p.yaml': text }), [
    ['p.yaml:4', 'policy must be one of all_tables, each_load, got "when_ready"'],
    ['p.yaml:9', 'debounce_seconds must be a whole number of seconds, 0 or more, got -5'],
    ['p.yaml:13', 'debounce_seconds applies to policy each_load only'],
    ['p.yaml:16', 'select "tag:d; rm -rf /" is not a dbt selection: ";" has no meaning there'],
    ['p.yaml:19', 'select "--full-refresh" is not a dbt selection: "-" has no meaning there'],
    ['p.yaml:23', 'unknown key "vars" in batch f (allowed: tables, select, policy, debounce_seconds, per_folder, expected_by)'],
    ['p.yaml:22', 'select must be a dbt selection (e.g. "tag:daily" or "stg_trades+"), got ""'],
    ['p.yaml:27', 'expected_by must be a duration such as 45s, 30m, 6h or 2d, got "3 hours"'],
    ['p.yaml:33', 'expected_by applies to policy all_tables only (a batch key is complete once every member has loaded it)'],
  ]);
});

test('names must be plain and unique across files; bad YAML and a non-mapping top level are reported', () => {
  assertProblems(
    problems({
      'a.yaml': 'daily:\n  tables: [raw_trades]\n  select: tag:a\n"my batch": { tables: [raw_trades], select: tag:b }\n',
      'b.yaml': '# again\ndaily: { tables: [raw_prices], select: tag:c }\n',
      'c.yaml': 'x: {tables: [raw_trades\n',
      'd.yaml': '- daily\n',
      'e.yaml': 'weekly: tag:weekly\n',
    }),
    [
      ['a.yaml:4', 'batch name "my batch" must be letters, digits, _ or -'],
      ['b.yaml:2', 'batch daily is already defined at a.yaml:1'],
      ['c.yaml:2', 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
      ['c.yaml:2', 'invalid YAML: Flow map in block collection must be sufficiently indented and end with a }'],
      ['d.yaml:1', 'the top level must map batch names to { tables, select, policy }'],
      ['e.yaml:1', 'batch weekly must be a mapping { tables, select, policy }, got "tag:weekly"'],
    ],
  );
});

test('batchesOfTable finds the batches a load event advances', () => {
  const batches = parse({ 'b.yaml': 'a: { tables: [raw_trades, raw_prices], select: tag:a }\nb: { tables: [raw_prices], select: tag:b }\n' });
  assert.deepEqual(batchesOfTable(batches, 'raw_prices').map((b) => b.name), ['a', 'b']);
  assert.deepEqual(batchesOfTable(batches, 'raw_trades').map((b) => b.name), ['a']);
  assert.deepEqual(batchesOfTable(batches, 'Raw_FX'), []);
});

test('the shipped config/batches/daily.yaml covers the four sample tables', async () => {
  const batches = await loadBatchDefinitions('config/batches', (await loadTableMappings('config/tables')).map((m) => m.table));
  assert.deepEqual(batches, [
    {
      name: 'daily',
      tables: ['raw_instruments', 'raw_trades', 'raw_positions', 'raw_eod_prices'],
      select: 'tag:daily',
      policy: { kind: 'all_tables' },
      perFolder: false,
      expectedBySeconds: 12 * 3600,
      source: { file: 'config/batches/daily.yaml', line: 7 },
    },
  ]);
});

test('a missing batch folder is a problem naming it', async () => {
  assertProblems(await problemsOfAsync(() => loadBatchDefinitions('test/fixtures/config/no-batches', MAPPINGS.map((m) => m.table))), [
    ['test/fixtures/config/no-batches:0', 'batch definitions folder does not exist'],
  ]);
});

test('the dbt trigger reads table names past mapping problems that hide none, so a loader’s config error does not stop it', async () => {
  const { loadTableNames } = await import('../../../lib/config/index.js');
  // tables-broken holds bad go files, overlaps and YAML errors: the names still readable are the trigger's to check.
  const names = await loadTableNames('test/fixtures/config/tables-broken');
  assert.deepEqual(names, ['raw_trades', 'Raw_Trades']);
  await assert.rejects(loadTableMappings('test/fixtures/config/tables-broken'), /configuration problem/);
});
