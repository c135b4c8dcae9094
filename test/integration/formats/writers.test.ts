// The format fixtures' writers run in the project venv, and every file they write is what their manifest says it is.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { FIXTURE_COMPRESSIONS, FIXTURE_FORMATS, FIXTURE_WRITERS, VALUE_TYPES, writeFormatFixtures } from '../../fixtures/formats/index.js';
import type { FormatFixture, Manifest } from '../../fixtures/formats/index.js';
import { avroHeader, isWholeAvroContainer } from './avro-header.js';

let dir: string;
let manifest: Manifest;
let instance: DuckDBInstance;
let duckdb: DuckDBConnection;

const quoted = (path: string) => `'${path.replaceAll("'", "''")}'`;
const query = async (sql: string) => (await duckdb.runAndReadAll(sql)).getRowObjectsJson();
const ofFormat = (format: FormatFixture['format']) => Object.entries(manifest.files).filter(([, f]) => f.format === format);
const jsonDepth = (value: unknown): number =>
  value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(jsonDepth)) : 0;
const pin = async (file: string, name: string) => (await readFile(new URL(`../../../emulators/${file}`, import.meta.url), 'utf8')).match(new RegExp(`^${name}==(\\S+)$`, 'm'))?.[1];

async function jsonLines(path: string): Promise<string[]> {
  const raw = await readFile(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-formats-'));
  manifest = await writeFormatFixtures(dir);
  instance = await DuckDBInstance.create(':memory:');
  duckdb = await instance.connect();
});

after(async () => {
  duckdb?.closeSync();
  instance?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe('format fixtures from real writers', () => {
  it('lists every file it wrote, and only those', async () => {
    const names = async (d: string) => (await readdir(d, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    assert.deepEqual(await names(dir), Object.keys(manifest.files).sort());
    assert.deepEqual(await names(join(dir, 'bad')), Object.keys(manifest.bad).sort());
  });

  it('comes from the pinned writers', async () => {
    for (const name of ['pyarrow', 'fastavro', 'avro'] as const) assert.equal(manifest.writers[name], await pin('writers-requirements.txt', name), name);
    assert.equal(manifest.writers.duckdb, await pin('dbt-requirements.txt', 'duckdb'));
  });

  it('has each format from each writer the issue names, compressed each way', () => {
    const kinds = new Set(Object.values(manifest.files).map((f) => `${f.format}/${f.writer}`));
    assert.deepEqual([...kinds].sort(), ['avro/avro', 'avro/fastavro', 'jsonl/json', 'parquet/duckdb', 'parquet/pyarrow']);
    assert.deepEqual(new Set(Object.values(manifest.files).map((f) => f.compression)), new Set(FIXTURE_COMPRESSIONS));
    const suffixes = ofFormat('jsonl').map(([name]) => name.slice(name.indexOf('.')));
    assert.deepEqual(suffixes.sort(), ['.json', '.jsonl', '.jsonl.gz', '.ndjson']);
  });

  it('describes every file in the manifest’s shape', () => {
    for (const [name, f] of Object.entries(manifest.files)) {
      assert.ok(FIXTURE_FORMATS.includes(f.format) && FIXTURE_WRITERS.includes(f.writer), name);
      assert.ok(f.columns.every((c) => VALUE_TYPES.includes(c.type)), name);
      if (f.format === 'jsonl') assert.ok(f.columns.every((c) => c.type === 'string'), `${name}: a new table from JSON lines is all strings`);
      assert.ok(f.rows || f.note, `${name}: rows, or a note saying what they are`);
      assert.equal(f.rows?.length ?? f.records, f.records, name);
      for (const row of f.rows ?? []) assert.deepEqual(Object.keys(row), f.columns.map((c) => c.name), name);
    }
    for (const [name, b] of Object.entries(manifest.bad)) assert.equal(b.error[0], name, 'an error names its file first');
  });

  it('each Parquet file reads back in DuckDB with its records, columns and row groups', async () => {
    for (const [name, f] of ofFormat('parquet')) {
      const [counted] = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet(${quoted(f.path)})`);
      assert.equal(counted?.n, f.records, name);
      const described = await query(`DESCRIBE SELECT * FROM read_parquet(${quoted(f.path)})`);
      assert.deepEqual(described.map((c) => c.column_name), f.columns.map((c) => c.name), name);
      const [groups] = await query(`SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata(${quoted(f.path)})`);
      assert.equal(groups?.n, f.rowGroups ?? 1, name);
    }
  });

  it('each JSON-lines file holds its records, one object per line, with its keys in first-seen order', async () => {
    for (const [name, f] of ofFormat('jsonl')) {
      const objects = (await jsonLines(f.path)).map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(objects.length, f.records, name);
      assert.ok(objects.every((o) => o !== null && typeof o === 'object' && !Array.isArray(o)), name);
      assert.deepEqual([...new Set(objects.flatMap((o) => Object.keys(o)))], f.columns.map((c) => c.name), name);
      const [counted] = await query(`SELECT count(*)::INTEGER AS n FROM read_ndjson_objects(${quoted(f.path)})`);
      assert.equal(counted?.n, f.records, `${name}: DuckDB's count`);
    }
  });

  it('each Avro file is a whole object container file with its codec and fields', async () => {
    for (const [name, f] of ofFormat('avro')) {
      const data = await readFile(f.path);
      const header = avroHeader(data);
      assert.equal(header.codec, ({ none: 'null', zstd: 'zstandard' } as Record<string, string>)[f.compression] ?? f.compression, name);
      assert.deepEqual(header.fields, f.columns.map((c) => c.name), name);
      assert.ok(isWholeAvroContainer(data), `${name} ends with its sync marker`);
    }
  });
});

describe('bad format fixtures', () => {
  const bad = (name: string) => manifest.bad[name]!;

  it('the unreadable Parquet files are unreadable to DuckDB too', async () => {
    for (const [name, b] of Object.entries(manifest.bad).filter(([, b]) => b.format === 'parquet' && !b.createColumns && !b.validFile)) {
      await assert.rejects(query(`SELECT * FROM read_parquet(${quoted(b.path)})`), Error, name);
    }
  });

  it('the Parquet file the typed table cannot take reads, and its named value does not cast', async () => {
    const b = Object.values(manifest.bad).find((x) => x.createColumns)!;
    const rows = await query(`SELECT ${b.column}::VARCHAR AS v FROM read_parquet(${quoted(b.path)})`);
    assert.equal(rows[b.record! - 1]?.v, b.value);
    await duckdb.run(`CREATE TEMP TABLE typed (${b.createColumns})`);
    await assert.rejects(duckdb.run(`INSERT INTO typed SELECT * FROM read_parquet(${quoted(b.path)})`), new RegExp(`'${b.value}'`));
  });

  it('the bad Avro files are not whole container files, but for the valid ones: the bomb, under 1 MiB for its 70, and the deep one', async () => {
    const avroFiles = Object.values(manifest.bad).filter((x) => x.format === 'avro');
    for (const b of avroFiles) assert.equal(isWholeAvroContainer(await readFile(b.path)), b.validFile === true, basename(b.path));
    assert.deepEqual(avroFiles.filter((b) => b.validFile).map((b) => basename(b.path)).sort(), ['bomb.avro', 'too_deep.avro']);
    const bomb = await readFile(bad('bomb.avro').path);
    assert.equal(avroHeader(bomb).codec, 'deflate');
    assert.ok(bomb.length < 1024 ** 2, `${bomb.length} bytes`);
  });

  it('each bad JSON-lines file goes wrong at its line, and not before', async () => {
    const objectAt = async (name: string) => {
      const lines = await jsonLines(bad(name).path);
      const line = bad(name).line!;
      for (const good of lines.slice(0, line - 1)) assert.equal(typeof JSON.parse(good), 'object', name);
      return lines[line - 1]!;
    };
    for (const name of ['csv_text.jsonl', 'invalid_middle.jsonl']) {
      const line = await objectAt(name);
      assert.throws(() => JSON.parse(line), SyntaxError, name);
    }
    assert.ok(Array.isArray(JSON.parse(await objectAt('array_line.jsonl'))));
    const deep = JSON.parse(await objectAt('too_deep.jsonl')) as { deep: unknown };
    assert.equal(jsonDepth(deep.deep), bad('too_deep.jsonl').depth);
    assert.ok(bad('too_deep.jsonl').depth! > 500, "deeper than BigQuery JSON's nesting limit of 500");
  });
});
