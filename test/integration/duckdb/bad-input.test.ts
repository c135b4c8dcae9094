// Every case under test/fixtures/bad/cases/: load it into a real DuckDB and check the exact outcome it expects.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import { loadTableMappings } from '../../../lib/config/index.js';
import type { TableMapping } from '../../../lib/config/index.js';
import { loadFile } from '../../../lib/load/index.js';
import type { LoadReport } from '../../../lib/load/index.js';
import { classify, companionGoName } from '../../../lib/match/index.js';
import { newDuckDbHarness } from './harness.js';
import type { DuckDbHarness } from './harness.js';

const BAD = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/bad');

interface Expected {
  load: string;
  status: 'loaded' | 'failed';
  rows: number;
  error?: string[];
  file?: string;
  line?: number;
  columns?: string[];
  setupSql?: string[];
  /** A file too big to commit, written by the test: `header`, then one row whose middle field has `fieldBytes` bytes. */
  generate?: { name: string; header: string; fieldBytes: number };
}

async function loadPath(h: DuckDbHarness, path: string, mappings: readonly TableMapping[]): Promise<LoadReport> {
  const found = classify(basename(path), mappings);
  assert.ok(found, `no mapping for ${path}`);
  const goName = companionGoName(found.mapping, found.batchKey);
  const goFile = goName ? { name: goName, text: await readFile(join(dirname(path), goName), 'utf8') } : undefined;
  const source = await openLocalFile(path);
  return loadFile(h.warehouse, { source, mapping: found.mapping, compressed: found.compressed, loadId: randomUUID(), ...(goFile && { goFile }) });
}

/** Everything the case may touch: the target table as it is (any table, landfall's or not) and load_metadata. */
async function snapshot(h: DuckDbHarness, table: string) {
  const exists = await h.warehouse.query(`SELECT 1 FROM duckdb_tables() WHERE table_name = $1`, [table]);
  const rows = exists.length === 0 ? undefined : await h.warehouse.query(`SELECT * FROM "${table}" ORDER BY ALL`);
  return { rows: JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? String(v) : v)), metadata: await h.metadata() };
}

async function prepare(h: DuckDbHarness, dir: string, expected: Expected, mappings: readonly TableMapping[]): Promise<string> {
  for (const sql of expected.setupSql ?? []) await h.warehouse.query(sql);
  const before = await readdir(join(dir, 'before')).catch(() => [] as string[]);
  for (const name of before.filter((n) => classify(n, mappings)?.role === 'data')) {
    const report = await loadPath(h, join(dir, 'before', name), mappings);
    assert.equal(report.outcome.status, 'loaded', `setup file ${name}: ${report.outcome.error}`);
  }
  if (!expected.generate) return join(dir, expected.load);
  const { name, header, fieldBytes } = expected.generate;
  const path = join(h.dir, name);
  await writeFile(path, Buffer.concat([Buffer.from(`${header}\n1,`), Buffer.alloc(fieldBytes, 'x'), Buffer.from(',3\n')]));
  return path;
}

async function runCase(dir: string, mappings: readonly TableMapping[]): Promise<void> {
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
  const h = await newDuckDbHarness();
  try {
    const path = await prepare(h, dir, expected, mappings);
    const table = classify(basename(path), mappings)!.mapping.table;
    const before = await snapshot(h, table);
    const report = await loadPath(h, path, mappings);
    assert.equal(report.outcome.status, expected.status, report.outcome.error ?? '');
    assert.equal(report.outcome.rows, expected.rows);
    if (expected.status === 'loaded') {
      if (expected.columns) assert.deepEqual(await h.columns(table), expected.columns);
      assert.equal((await h.metadata()).filter((m) => m.status === 'loaded').length, before.metadata.length + 1);
      return;
    }
    for (const part of expected.error ?? []) assert.ok(report.outcome.error?.includes(part), `"${report.outcome.error}" should contain "${part}"`);
    if (expected.file !== undefined) assert.equal(report.failure?.context.file, expected.file);
    if (expected.line !== undefined) assert.equal(report.failure?.context.line, expected.line);
    const after = await snapshot(h, table);
    assert.equal(after.rows, before.rows, 'the target table is exactly as it was');
    assert.deepEqual(after.metadata.slice(0, before.metadata.length), before.metadata, 'earlier load_metadata rows are unchanged');
    const added = after.metadata.slice(before.metadata.length);
    assert.equal(added.length, 1, 'exactly one failed row is added');
    assert.equal(added[0]!.status, 'failed');
    assert.equal(added[0]!.error, report.outcome.error);
  } finally {
    await h.close();
  }
}

const mappings = await loadTableMappings(join(BAD, 'tables'));
const cases = (await readdir(join(BAD, 'cases'))).sort();

test('there are at least 25 bad-input cases', () => {
  assert.ok(cases.length >= 25, `found ${cases.length}`);
});

for (const name of cases) {
  test(`bad input: ${name}`, () => runCase(join(BAD, 'cases', name), mappings));
}
