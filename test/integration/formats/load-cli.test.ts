// `landfall load` on files from real writers (pyarrow, DuckDB, fastavro, Apache Avro, Python's json): each loads with
// its records and, for Parquet and Avro, its types; each bad one fails with what is wrong and leaves the table as it was.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, runDuckDb } from '../../e2e/harness.js';
import { writeFormatFixtures } from '../../fixtures/formats/index.js';
import type { Manifest, ValueType } from '../../fixtures/formats/index.js';

let dir: string;
let manifest: Manifest;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-formats-'));
  manifest = await writeFormatFixtures(join(dir, 'files'));
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * One mapping per file: its name with its last stem letter as the batch key, into a table named after it. A `.gz`
 * file belongs to its plain twin's mapping, which claims it.
 */
function mappingFor(gzOrPlain: string): { pattern: string; table: string } {
  const name = gzOrPlain.replace(/\.gz$/, '');
  const dot = name.indexOf('.');
  const stem = name.slice(0, dot);
  return { pattern: `${stem.slice(0, -1)}*${name.slice(dot)}`, table: `t_${stem}_${name.slice(dot + 1).replaceAll('.', '_')}` };
}

async function writeConfig(names: string[]): Promise<string> {
  const tables = join(dir, `tables-${names.length}-${basename(names[0]!)}`);
  await mkdir(tables, { recursive: true });
  const lines = new Set(names.map((n) => `${mappingFor(n).pattern}: ${mappingFor(n).table}`));
  await writeFile(join(tables, 'formats.yaml'), [...lines].join('\n') + '\n');
  return tables;
}

const env = (db: string, tables: string) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DUCKDB_PATH: db, TABLE_CONFIG_PATH: tables });
const DUCKDB_TYPES: Record<ValueType, RegExp> = {
  integer: /^BIGINT$/,
  float: /^DOUBLE$/,
  string: /^VARCHAR$/,
  boolean: /^BOOLEAN$/,
  date: /^DATE$/,
  timestamp: /^TIMESTAMP WITH TIME ZONE$/,
  decimal: /^DECIMAL\(\d+,\d+\)$/,
  json: /^JSON$/,
};

test('every file from a real writer loads with its records, a new table taking the types Parquet and Avro give', async () => {
  const names = Object.keys(manifest.files);
  const db = join(dir, 'good.duckdb');
  const run = await runCli(['load', '--json', ...names.map((n) => manifest.files[n]!.path)], env(db, await writeConfig(names)));
  assert.equal(run.stderr, '');
  const outcomes = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; status: string; rows: number; error: string | null });
  for (const name of names) {
    const fixture = manifest.files[name]!;
    const outcome = outcomes.find((o) => o.file === name);
    assert.equal(outcome?.status, 'loaded', `${name}: ${outcome?.error}`);
    assert.equal(outcome.rows, fixture.records, name);
    const columns = await runDuckDb(db, `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${mappingFor(name).table}' ORDER BY column_index`);
    assert.deepEqual(columns.map((c) => c.column_name), [...fixture.columns.map((c) => c.name), '_extra', '_load_id'], name);
    fixture.columns.forEach((c, i) => assert.match(String(columns[i]!.data_type), DUCKDB_TYPES[c.type], `${name} ${c.name}`));
  }
  assert.equal(run.code, 0, run.stderr);
});

test('every bad file fails naming itself and what is wrong, and a typed table keeps its rows', async () => {
  const names = Object.keys(manifest.bad);
  const db = join(dir, 'bad.duckdb');
  const tables = await writeConfig(names);
  const typed = names.filter((n) => manifest.bad[n]!.createColumns);
  for (const name of typed) {
    const table = mappingFor(name).table;
    await runDuckDb(db, `CREATE TABLE ${table} (${manifest.bad[name]!.createColumns}, _extra JSON, _load_id VARCHAR); INSERT INTO ${table} (id, qty, _load_id) VALUES (1, 1, 'before')`);
  }
  const run = await runCli(['load', '--json', ...names.map((n) => manifest.bad[n]!.path)], env(db, tables));
  assert.equal(run.code, 1);
  const outcomes = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; status: string; error: string | null });
  for (const name of names) {
    const outcome = outcomes.find((o) => o.file === name);
    assert.equal(outcome?.status, 'failed', name);
    for (const fragment of manifest.bad[name]!.error) assert.ok(outcome.error?.includes(fragment), `${name}: "${outcome.error}" lacks "${fragment}"`);
    assert.doesNotMatch(outcome.error ?? '', /DuckDB|Conversion Error|INT32/, name);
  }
  for (const name of typed) assert.deepEqual(await runDuckDb(db, `SELECT id, qty, _load_id FROM ${mappingFor(name).table}`), [{ id: 1, qty: 1, _load_id: 'before' }]);
});
