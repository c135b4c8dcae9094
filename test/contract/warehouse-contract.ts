// The warehouse contract: every Warehouse adapter (DuckDB now, BigQuery later) runs this suite in a few lines.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { formatOfName } from '../../lib/config/index.js';
import type { TableMapping } from '../../lib/config/index.js';
import { loadFile } from '../../lib/load/index.js';
import type { FileSource, LoadReport, LoadRequest, Warehouse } from '../../lib/load/index.js';
import { runBatchContract } from './warehouse-contract-batch.js';
import { runFormatContract } from './warehouse-contract-formats.js';
import { runLifecycleContract } from './warehouse-contract-lifecycle.js';

/** One `load_metadata` row, normalised by the harness (numbers as numbers, times as Dates). */
export interface MetadataRecord {
  load_id: string;
  filename: string;
  table_name: string;
  row_count: number;
  started_at: Date;
  completed_at: Date;
  source_uri: string;
  source_generation: string;
  expected_rows: number | null;
  bytes: number;
  status: string;
  error: string | null;
  path: string;
}

/** What a backend gives the suite: a fresh, empty warehouse and ways to look inside it. */
export interface WarehouseHarness {
  warehouse: Warehouse;
  /**
   * A source holding `content` at `path` (folders allowed; its base name is the file name), under one landing root
   * per harness, so files in one folder are neighbours: a temp file, a bucket object. Writing a path again replaces it.
   */
  source(path: string, content: string | Buffer): Promise<FileSource>;
  /** Every row of `table` (values as strings or null), in a stable order; undefined when there is no such table. */
  rows(table: string): Promise<Record<string, string | null>[] | undefined>;
  /** The table's column names in order; undefined when there is no such table. */
  columns(table: string): Promise<string[] | undefined>;
  metadata(): Promise<MetadataRecord[]>;
  /** Runs SQL on the warehouse, for a case that sets up a table of its own (DuckDB's dialect; absent elsewhere). */
  exec?(sql: string): Promise<void>;
  /**
   * Creates a table as a user would, before landfall loads into it: `columns` is DDL both dialects read
   * (`id INTEGER, qty INTEGER`), and the table gets landfall's `_extra` and `_load_id` after them.
   */
  createTable(table: string, columns: string): Promise<void>;
  close(): Promise<void>;
}

export interface WarehouseContractOptions {
  name: string;
  newHarness: () => Promise<WarehouseHarness>;
  /**
   * Why this backend refuses a column name, if it does (BigQuery rejects `"` and `;`). A refused name must fail the
   * file with that reason and create nothing; an accepted one must become exactly that column.
   */
  columnNameProblem?: (name: string) => string | undefined;
}

export function mappingOf(table: string, extra: Partial<TableMapping> = {}): TableMapping {
  return { pattern: `${table}_*.csv`, table, delimiter: ',', reupload: 'replace', source: { file: 'contract', line: 1 }, ...extra };
}

/** The format a file's name says, as the request carries it (CSV: nothing). */
export function formatOf(name: string): Pick<LoadRequest, 'format'> {
  const format = formatOfName(name);
  return format === undefined || format === 'csv' ? {} : { format };
}

/** Loads `content` as file `name` (its format from its name) through the use case, as the CLI and the loader function do. */
export async function loadText(
  h: WarehouseHarness,
  name: string,
  content: string | Buffer,
  mapping: TableMapping,
  request: Partial<LoadRequest> = {},
): Promise<LoadReport> {
  const source = await h.source(name, content);
  return loadFile(h.warehouse, { source, mapping, compressed: name.endsWith('.gz'), loadId: randomUUID(), ...formatOf(name), ...request });
}

/** Runs `body` against a fresh harness and closes it whatever happens. */
export function withHarness<H extends WarehouseHarness>(options: { newHarness: () => Promise<H> }, body: (h: H) => Promise<void>): () => Promise<void> {
  return async () => {
    const h = await options.newHarness();
    try {
      await body(h);
    } finally {
      await h.close();
    }
  };
}

function runSchemaContract(options: WarehouseContractOptions): void {
  const it = (name: string, body: (h: WarehouseHarness) => Promise<void>) => test(name, withHarness(options, body));

  it('creates a missing table from the header: every column a string, plus _extra and _load_id', async (h) => {
    const report = await loadText(h, 't1_a.csv', 'id,Name,note\n1,Ann,"x, y"\n2,Bob,""\n', mappingOf('t1'));
    assert.equal(report.outcome.status, 'loaded');
    assert.equal(report.outcome.rows, 2);
    assert.deepEqual(await h.columns('t1'), ['id', 'Name', 'note', '_extra', '_load_id']);
    const id = report.outcome.loadId;
    assert.deepEqual(await h.rows('t1'), [
      { id: '1', Name: 'Ann', note: 'x, y', _extra: null, _load_id: id },
      { id: '2', Name: 'Bob', note: '', _extra: null, _load_id: id },
    ]);
  });

  it('schema drift: known columns by name (any case), unknown ones into _extra as one object, missing ones NULL', async (h) => {
    await loadText(h, 't2_a.csv', 'id,name,city\n1,Ann,Oslo\n', mappingOf('t2'));
    const report = await loadText(h, 't2_b.csv', 'NAME,Id,venue,"odd ""key"""\nBob,2,XETR,v\n', mappingOf('t2'));
    assert.equal(report.outcome.status, 'loaded');
    assert.deepEqual(await h.columns('t2'), ['id', 'name', 'city', '_extra', '_load_id'], 'the table is the schema: no new columns');
    const rows = await h.rows('t2');
    const bob = rows?.find((r) => r.id === '2');
    assert.equal(bob?.name, 'Bob');
    assert.equal(bob?.city, null);
    assert.deepEqual(JSON.parse(bob?._extra ?? 'null'), { venue: 'XETR', 'odd "key"': 'v' });
  });

  it('stamps every row with the load id and writes one load_metadata row with the operator columns', async (h) => {
    const before = Date.now();
    const source = await h.source('t3_20240115.csv', 'a\n1\n2\n3\n');
    const report = await loadFile(h.warehouse, { source, mapping: mappingOf('t3'), compressed: false, loadId: randomUUID() });
    const rows = (await h.rows('t3')) ?? [];
    assert.ok(rows.every((r) => r._load_id === report.outcome.loadId));
    const [meta, ...more] = await h.metadata();
    assert.equal(more.length, 0);
    assert.ok(meta);
    assert.equal(meta.load_id, report.outcome.loadId);
    assert.equal(meta.filename, 't3_20240115.csv');
    assert.equal(meta.path, 't3_20240115.csv');
    assert.equal(meta.table_name, 't3');
    assert.equal(meta.row_count, 3);
    assert.equal(meta.source_uri, source.uri);
    assert.equal(meta.source_generation, await source.generation);
    assert.equal(meta.bytes, 8);
    assert.equal(meta.expected_rows, null);
    assert.equal(meta.status, 'loaded');
    assert.equal(meta.error, null);
    assert.ok(meta.started_at.getTime() >= before - 1000 && meta.started_at <= meta.completed_at);
  });

  it('reads the CSV dialect: quoted delimiters, doubled quotes, line breaks in values, CRLF, BOM, other delimiters, gzip', async (h) => {
    await loadText(h, 't4_a.csv', '\uFEFFk,v\r\n1,"a ""b"", c"\r\n2,"line1\r\nline2"\r\n', mappingOf('t4'));
    await loadText(h, 't4_b.csv', 'k;v\n3;x,y\n', mappingOf('t4', { delimiter: ';' }));
    const { gzipSync } = await import('node:zlib');
    await loadText(h, 't4_c.csv.gz', gzipSync('k,v\n4,zipped\n'), mappingOf('t4'));
    assert.deepEqual((await h.columns('t4'))?.slice(0, 2), ['k', 'v'], 'the BOM is not part of the first name');
    const values = Object.fromEntries(((await h.rows('t4')) ?? []).map((r) => [r.k, r.v]));
    assert.deepEqual(values, { '1': 'a "b", c', '2': 'line1\r\nline2', '3': 'x,y', '4': 'zipped' });
  });

  it('quotes hostile column names: they become columns or a clear refusal, never SQL', async (h) => {
    await loadText(h, 't5_keep.csv', 'k\n1\n', mappingOf('t5'));
    const names = ['a"; DROP TABLE t5; --', 'with space', 'ünï 名前', "x'y"];
    const header = '"a""; DROP TABLE t5; --","with space","ünï 名前","x\'y"';
    const report = await loadText(h, 't5x_a.csv', `${header}\n1,2,3,4\n`, mappingOf('t5x'));
    const refused = names.map((n) => options.columnNameProblem?.(n)).filter((p): p is string => p !== undefined);
    if (refused.length === 0) {
      assert.equal(report.outcome.status, 'loaded', report.outcome.error ?? '');
      assert.deepEqual(await h.columns('t5x'), [...names, '_extra', '_load_id']);
    } else {
      assert.equal(report.outcome.status, 'failed');
      for (const problem of refused) assert.ok(report.outcome.error?.includes(problem), report.outcome.error ?? '');
      assert.equal(await h.columns('t5x'), undefined, 'a refused header creates no table');
    }
    assert.deepEqual(await h.columns('t5'), ['k', '_extra', '_load_id'], 'the other table is untouched');
  });

  it('a header-only file loads 0 rows and still creates the table', async (h) => {
    const report = await loadText(h, 't6_a.csv', 'a,b\n', mappingOf('t6'));
    assert.equal(report.outcome.status, 'loaded');
    assert.equal(report.outcome.rows, 0);
    assert.deepEqual(await h.columns('t6'), ['a', 'b', '_extra', '_load_id']);
    assert.deepEqual(await h.rows('t6'), []);
  });
}

export function runWarehouseContract(options: WarehouseContractOptions): void {
  describe(`warehouse contract: ${options.name}`, () => {
    runSchemaContract(options);
    runLifecycleContract(options);
    runBatchContract(options);
    runFormatContract(options);
  });
}
