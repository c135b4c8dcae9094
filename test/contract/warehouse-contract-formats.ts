// The warehouse contract, formats: Parquet, Avro and JSON lines from real writers, drift into `_extra`, typed tables and their casts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { TerminalError } from '../../lib/errors.js';
import { goFileText } from '../../lib/load/index.js';
import type { LoadReport } from '../../lib/load/index.js';
import { writeFormatFixtures } from '../fixtures/formats/index.js';
import type { FixtureFormat, Manifest } from '../fixtures/formats/index.js';
import { neutralRows } from './neutral-values.js';
import { loadBatch } from './warehouse-contract-batch.js';
import { loadText, mappingOf, withHarness } from './warehouse-contract.js';
import type { WarehouseContractOptions, WarehouseHarness } from './warehouse-contract.js';

const tableOf = (name: string) => `f_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const extraOf = (row: Record<string, string | null> | undefined) => JSON.parse(row?._extra ?? 'null') as Record<string, unknown> | null;

async function loadFixture(h: WarehouseHarness, path: string, table: string, request: Parameters<typeof loadText>[4] = {}): Promise<LoadReport> {
  return loadText(h, basename(path), await readFile(path), mappingOf(table), request);
}

/** Asserts a load failed with every fragment, and left the table's rows and `load_metadata`'s loaded rows as they were. */
async function assertRefused(h: WarehouseHarness, report: LoadReport, table: string, before: unknown, fragments: readonly string[]): Promise<void> {
  assert.equal(report.outcome.status, 'failed');
  for (const part of fragments) assert.ok(report.outcome.error?.includes(part), `"${report.outcome.error}" should contain "${part}"`);
  assert.deepEqual(await h.rows(table), before, 'the table is exactly as it was');
}

export function runFormatContract(options: WarehouseContractOptions): void {
  const it = (name: string, body: (h: WarehouseHarness) => Promise<void>) => test(name, withHarness(options, body));
  let manifest: Manifest;
  before(async () => {
    manifest = await writeFormatFixtures(await mkdtemp(join(tmpdir(), 'landfall-contract-formats-')));
  });
  after(() => rm(manifest.dir, { recursive: true, force: true }));

  const eachGood = (format: FixtureFormat, what: string) =>
    it(`each ${format} fixture from a real writer loads into a new table: ${what}`, async (h) => {
      for (const [name, f] of Object.entries(manifest.files).filter(([, x]) => x.format === format)) {
        const table = tableOf(name);
        const report = await loadFixture(h, f.path, table);
        assert.deepEqual([report.outcome.status, report.outcome.rows], ['loaded', f.records], `${name}: ${report.outcome.error}`);
        assert.deepEqual(await h.columns(table), [...f.columns.map((c) => c.name), '_extra', '_load_id'], name);
        const rows = (await h.rows(table))!;
        assert.equal(rows.length, f.records, name);
        assert.ok(rows.every((r) => r._extra === null && r._load_id === report.outcome.loadId), name);
        if (f.rows) assert.deepEqual(neutralRows(rows, f.columns), neutralRows(f.rows, f.columns), name);
        if (format === 'jsonl') continue;
        // The table has the file's types: a text its `id` column cannot take is refused.
        const probe = await loadText(h, `${table}_probe.jsonl`, '{"id": "one"}\n', mappingOf(table));
        assert.match(probe.outcome.error ?? '', /line 1: the value "one" cannot be cast to \w+ for column id/, name);
      }
    });
  eachGood('parquet', 'the file’s types, nested values as JSON');
  eachGood('avro', 'the file’s types, nested values as JSON');
  eachGood('jsonl', 'every column a string, numbers and nested values as JSON text as written');

  it('drift: a key the table lacks goes into _extra keeping its JSON type, a missing key is left out, a missing field is NULL', async (h) => {
    await loadText(h, 'jd_1.jsonl', '{"id": 1, "name": "a"}\n', mappingOf('jd'));
    const lines = ['{"id": 2, "n": 1.50, "o": {"a": [1, "x"]}, "b": true, "z": null, "s": "12"}', '{"name": "c", "id": 3}'];
    const report = await loadText(h, 'jd_2.jsonl', `${lines.join('\n')}\n`, mappingOf('jd'));
    assert.equal(report.outcome.status, 'loaded', report.outcome.error ?? '');
    assert.deepEqual(await h.columns('jd'), ['id', 'name', '_extra', '_load_id'], 'the table is the schema');
    const rows = (await h.rows('jd'))!;
    const two = rows.find((r) => r.id === '2');
    assert.equal(two?.name, null);
    assert.deepEqual(extraOf(two), { n: 1.5, o: { a: [1, 'x'] }, b: true, z: null, s: '12' });
    assert.equal(extraOf(rows.find((r) => r.id === '3')), null, 'no key of the line went to _extra');
    const parquet = manifest.files['pyarrow_typed.parquet']!;
    assert.equal((await loadFixture(h, parquet.path, 'jd')).outcome.status, 'loaded');
    const first = (await h.rows('jd'))!.filter((r) => r.name === 'alpha');
    assert.equal(first.length, 1);
    const extra = extraOf(first[0])!;
    assert.deepEqual([typeof extra.qty, extra.active, extra.tags, extra.detail], ['number', true, [1, 2], { venue: 'XNYS', lot: 100 }], 'a Parquet field keeps its JSON type');
  });

  it('a typed table casts each value; one that does not cast fails its file with the file, line or record, column and value', async (h) => {
    const bad = Object.entries(manifest.bad).find(([, b]) => b.createColumns)!;
    await h.createTable('tq', bad[1].createColumns!);
    const good = await loadText(h, 'tq_1.jsonl', '{"id": 1, "qty": 5}\n{"id": 2, "qty": "7"}\n{"id": 3}\n', mappingOf('tq'));
    assert.equal(good.outcome.status, 'loaded', good.outcome.error ?? '');
    const rows = await h.rows('tq');
    assert.deepEqual(rows?.map((r) => [r.id, r.qty]).sort(), [['1', '5'], ['2', '7'], ['3', null]]);
    const { record, column, value } = bad[1];
    const parquet = await loadFixture(h, bad[1].path, 'tq');
    await assertRefused(h, parquet, 'tq', rows, [...bad[1].error, `record ${record}`, `"${value}"`, `column ${column}`]);
    assert.equal(parquet.failure?.context.line, record);
    await assertRefused(h, await loadText(h, 'tq_2.csv', 'id,qty\n4,8\n5,x\n', mappingOf('tq')), 'tq', rows, ['tq_2.csv line 3', '"x"', 'column qty', 'table tq']);
    const jsonl = await loadText(h, 'tq_3.jsonl', '{"id": 6, "qty": 1}\n{"id": "seven", "qty": 2}\n', mappingOf('tq'));
    await assertRefused(h, jsonl, 'tq', rows, ['tq_3.jsonl line 2', '"seven"', 'column id']);
  });

  it('a typed table takes a CSV file whose trailer its types could not: the trailer is neither checked nor loaded', async (h) => {
    await h.createTable('tt', 'id INTEGER, qty INTEGER');
    const report = await loadText(h, 'tt_1.csv', 'id,qty\n1,10\n2,20\nTRAILER,2\n', mappingOf('tt', { trailer: { rowCountColumn: 2 } }));
    assert.deepEqual([report.outcome.status, report.outcome.rows], ['loaded', 2], report.outcome.error ?? '');
    assert.deepEqual((await h.rows('tt'))?.map((r) => [r.id, r.qty]).sort(), [['1', '10'], ['2', '20']]);
  });

  it('in a batch, a file with a value its table cannot take fails alone, named by its line; the rest commit', async (h) => {
    await h.createTable('tb', 'id INTEGER, qty INTEGER');
    const mapping = mappingOf('tb');
    const { jobs, fates } = await loadBatch(h, [
      { name: 'tb_1.jsonl', content: '{"id": 1, "qty": 10}\n', mapping },
      { name: 'tb_2.jsonl', content: '{"id": 2, "qty": 20}\n{"id": 3, "qty": "many"}\n', mapping },
      { name: 'tb_3.csv', content: 'qty,id\n40,4\n', mapping },
      { name: 'tb_4.csv', content: 'id,qty\n5,50\nfive,51\n', mapping },
    ]);
    assert.deepEqual(fates.map((f) => f.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const reasons = [fates[1], fates[3]].map((f) => (f as PromiseRejectedResult).reason as Error);
    assert.ok(reasons.every((r) => r instanceof TerminalError), String(reasons));
    assert.match(reasons[0]!.message, /tb_2\.jsonl line 2: the value "many" cannot be cast to \w+ for column qty/);
    assert.match(reasons[1]!.message, /tb_4\.csv line 3: the value "five" cannot be cast to \w+ for column id/);
    const rows = (await h.rows('tb'))!;
    assert.deepEqual(rows.map((r) => [r.id, r.qty, r._load_id]).sort(), [['1', '10', jobs[0]!.loadId], ['4', '40', jobs[2]!.loadId]]);
  });

  it('a batch that makes a table checks its other files against its first file’s types, or, when that file fails, not', async (h) => {
    const parquet = await readFile(manifest.files['duckdb_typed.parquet']!.path);
    const counted = (table: string) => mappingOf(table, { goFile: { pattern: `${table}_*.go`, format: 'properties', rowCountKey: 'n' } });
    const { fates } = await loadBatch(h, [
      { name: 'bn_1.parquet', content: parquet, mapping: counted('bn'), goFile: goFileText('bn_1.go', 'n=5\n') },
      { name: 'bn_2.jsonl', content: '{"id": "x"}\n', mapping: counted('bn'), goFile: goFileText('bn_2.go', 'n=1\n') },
      { name: 'bm_1.parquet', content: parquet, mapping: counted('bm'), goFile: goFileText('bm_1.go', 'n=4\n') },
      { name: 'bm_2.jsonl', content: '{"id": "x"}\n', mapping: counted('bm'), goFile: goFileText('bm_2.go', 'n=1\n') },
    ]);
    assert.deepEqual(fates.map((f) => f.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled'], fates.map((f) => (f.status === 'rejected' ? String(f.reason) : '')).join(' | '));
    assert.match(String((fates[1] as PromiseRejectedResult).reason), /bn_2\.jsonl line 1: the value "x" cannot be cast to \w+ for column id/);
    assert.match(String((fates[2] as PromiseRejectedResult).reason), /bm_1\.parquet: expected 4 rows/);
    assert.deepEqual(await h.columns('bm'), ['id', '_extra', '_load_id'], 'the JSON-lines file made the table');
    assert.deepEqual((await h.rows('bm'))?.map((r) => r.id), ['x']);
  });

  it('a non-CSV file is replaced when uploaded again, and counted in records against its go file', async (h) => {
    const mapping = mappingOf('jr', { goFile: { pattern: 'jr_*.go', format: 'properties', rowCountKey: 'record_count' } });
    const first = await loadText(h, 'jr_1.jsonl', '{"a": 1}\n{"a": 2}\n', mapping, { goFile: goFileText('jr_1.go', 'record_count=2\n') });
    assert.equal(first.outcome.status, 'loaded', first.outcome.error ?? '');
    const again = await loadText(h, 'jr_1.jsonl', '{"a": 3}\n\n{"a": 4}\n{"a": 5}\n', mapping, { goFile: goFileText('jr_1.go', 'record_count=3\n') });
    assert.deepEqual([again.outcome.status, again.replacedLoadIds], ['loaded', [first.outcome.loadId]]);
    assert.deepEqual((await h.rows('jr'))?.map((r) => r.a).sort(), ['3', '4', '5']);
    const before = await h.rows('jr');
    const wrong = await loadText(h, 'jr_2.jsonl', '{"a": 6}\n{"a": 7}\n', mapping, { goFile: goFileText('jr_2.go', 'record_count=3\n') });
    await assertRefused(h, wrong, 'jr', before, ['jr_2.jsonl: expected 3 rows (jr_2.go line 1), found 2']);
    const avro = manifest.files['fastavro_typed.avro']!;
    const typed = mappingOf('ja', { goFile: { pattern: 'ja_*.go', format: 'properties', rowCountKey: 'record_count' } });
    const counted = await loadFixture(h, avro.path, 'ja', { mapping: typed, goFile: goFileText('fastavro_typed.go', `record_count=${avro.records}\n`) });
    assert.deepEqual([counted.outcome.status, counted.outcome.rows], ['loaded', avro.records], counted.outcome.error ?? '');
  });

  it('each bad fixture fails with what is wrong, and creates no table', async (h) => {
    for (const [name, b] of Object.entries(manifest.bad).filter(([, x]) => !x.createColumns)) {
      const table = tableOf(name);
      const report = await loadFixture(h, b.path, table);
      assert.equal(report.outcome.status, 'failed', name);
      for (const part of b.error) assert.ok(report.outcome.error?.includes(part), `"${report.outcome.error}" should contain "${part}"`);
      if (b.line !== undefined) assert.equal(report.failure?.context.line, b.line, name);
      assert.equal(await h.columns(table), undefined, `${name}: no table`);
    }
  });
}
