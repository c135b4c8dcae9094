// Every case under test/fixtures/bad/cases/, on any warehouse: load it and check the exact outcome its expected.json states.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadTableMappings } from '../../lib/config/index.js';
import type { TableMapping } from '../../lib/config/index.js';
import { classify, companionGoName } from '../../lib/match/index.js';
import { goFileText } from '../../lib/load/index.js';
import type { LoadReport } from '../../lib/load/index.js';
import { loadText } from './warehouse-contract.js';
import type { WarehouseHarness } from './warehouse-contract.js';
import { generateFile, type Generated } from './generated-files.js';

const BAD = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/bad');
export const BACKENDS = ['duckdb', 'bigquery'] as const;
export type Backend = (typeof BACKENDS)[number];

interface Expected {
  /** The file the case loads, as a path under the case folder (folders allowed). */
  load: string;
  status: 'loaded' | 'failed';
  rows: number;
  /** Texts the error must contain (file and line among them). */
  error?: string[];
  file?: string;
  line?: number;
  /** A loaded case: the table's columns afterwards. */
  columns?: string[];
  /** A loaded case: the rows this load wrote, with the columns named here (others unchecked). */
  values?: Record<string, string | null>[];
  /** A loaded case: how many earlier loads this one marked `replaced` (0 unless stated: neighbours stay loaded). */
  replaces?: number;
  /** DuckDB SQL run first (a view, a table landfall did not make): such a case runs on DuckDB only. */
  setupSql?: string[];
  /** A file too big to keep in the repository, made by the test instead of read from `load`. */
  generate?: Generated;
  /** Where the case applies; every backend when absent. */
  backends?: Backend[];
}

/** Files of a folder, recursively, as paths relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

/** Loads the data file at `path` (under `root`), with its go file from the same folder when its mapping has one. */
async function loadCase(h: WarehouseHarness, root: string, path: string, content: Buffer, mappings: readonly TableMapping[]): Promise<LoadReport> {
  const found = classify(basename(path), mappings);
  assert.ok(found, `no mapping for ${path}`);
  const goName = companionGoName(found.mapping, found.batchKey);
  const goFile = goName ? goFileText(goName, await readFile(join(root, dirname(path), goName), 'utf8')) : undefined;
  return loadText(h, path, content, found.mapping, goFile ? { goFile } : {});
}

/** Everything the case may touch: the target table as it is and load_metadata. */
async function snapshot(h: WarehouseHarness, table: string) {
  return { rows: await h.rows(table), metadata: await h.metadata() };
}

async function prepare(h: WarehouseHarness, dir: string, expected: Expected, mappings: readonly TableMapping[]): Promise<Buffer> {
  for (const sql of expected.setupSql ?? []) await h.exec!(sql);
  const before = join(dir, 'before');
  for (const path of (await filesUnder(before)).filter((p) => classify(basename(p), mappings)?.role === 'data')) {
    const report = await loadCase(h, before, path, await readFile(join(before, path)), mappings);
    assert.equal(report.outcome.status, 'loaded', `setup file ${path}: ${report.outcome.error}`);
  }
  return expected.generate ? generateFile(expected.generate) : readFile(join(dir, expected.load));
}

function checkFailure(report: LoadReport, expected: Expected): void {
  for (const part of expected.error ?? []) assert.ok(report.outcome.error?.includes(part), `"${report.outcome.error}" should contain "${part}"`);
  if (expected.file !== undefined) assert.equal(report.failure?.context.file, expected.file);
  if (expected.line !== undefined) assert.equal(report.failure?.context.line, expected.line);
}

async function checkLoaded(h: WarehouseHarness, report: LoadReport, expected: Expected, table: string, before: Awaited<ReturnType<typeof snapshot>>) {
  if (expected.columns) assert.deepEqual(await h.columns(table), expected.columns);
  const after = await h.metadata();
  const replaced = after.filter((m) => m.status === 'replaced' && before.metadata.some((b) => b.load_id === m.load_id && b.status === 'loaded'));
  assert.equal(replaced.length, expected.replaces ?? 0, 'earlier loads replaced by this one');
  assert.equal(after.filter((m) => m.status === 'loaded').length, before.metadata.filter((m) => m.status === 'loaded').length + 1 - replaced.length);
  const mine = after.find((m) => m.load_id === report.outcome.loadId);
  assert.equal(mine?.path, expected.load, 'load_metadata.path is the file’s path');
  assert.equal(mine?.filename, basename(expected.load), 'load_metadata.filename is its base name');
  if (expected.values) {
    const rows = ((await h.rows(table)) ?? []).filter((r) => r._load_id === report.outcome.loadId);
    const keys = Object.keys(expected.values[0] ?? {});
    const pick = (r: Record<string, string | null>) => Object.fromEntries(keys.map((k) => [k, r[k] ?? null]));
    const order = (a: Record<string, string | null>, b: Record<string, string | null>) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    assert.deepEqual(rows.map(pick).sort(order), [...expected.values].sort(order));
  }
}

async function runCase(h: WarehouseHarness, dir: string, mappings: readonly TableMapping[]): Promise<void> {
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
  const content = await prepare(h, dir, expected, mappings);
  const table = classify(basename(expected.load), mappings)!.mapping.table;
  const before = await snapshot(h, table);
  const report = await loadCase(h, dir, expected.load, content, mappings);
  assert.equal(report.outcome.status, expected.status, report.outcome.error ?? '');
  assert.equal(report.outcome.rows, expected.rows);
  if (expected.status === 'loaded') return checkLoaded(h, report, expected, table, before);
  checkFailure(report, expected);
  const after = await snapshot(h, table);
  assert.deepEqual(after.rows, before.rows, 'the target table is exactly as it was');
  assert.deepEqual(after.metadata.slice(0, before.metadata.length), before.metadata, 'earlier load_metadata rows are unchanged');
  const added = after.metadata.slice(before.metadata.length);
  assert.equal(added.length, 1, 'exactly one failed row is added');
  assert.equal(added[0]!.status, 'failed');
  assert.equal(added[0]!.error, report.outcome.error);
  assert.equal(added[0]!.path, expected.load);
}

export interface BadInputCase {
  name: string;
  dir: string;
  backends: readonly Backend[];
}

export async function badInputCases(backend?: Backend): Promise<BadInputCase[]> {
  const names = (await readdir(join(BAD, 'cases'))).sort();
  const cases = await Promise.all(
    names.map(async (name) => {
      const dir = join(BAD, 'cases', name);
      const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
      return { name, dir, backends: expected.backends ?? BACKENDS };
    }),
  );
  return backend === undefined ? cases : cases.filter((c) => c.backends.includes(backend));
}

/** The mappings the cases are written against (test/fixtures/bad/tables). */
export function badInputMappings(): Promise<TableMapping[]> {
  return loadTableMappings(join(BAD, 'tables'));
}

/** One test per case, each on a fresh harness. */
export function badInputTests(cases: readonly BadInputCase[], mappings: readonly TableMapping[], newHarness: () => Promise<WarehouseHarness>): void {
  for (const c of cases) {
    test(c.name, async () => {
      const h = await newHarness();
      try {
        await runCase(h, c.dir, mappings);
      } finally {
        await h.close();
      }
    });
  }
}
