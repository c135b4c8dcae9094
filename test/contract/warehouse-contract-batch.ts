// The warehouse contract, group commit: many files in one `loadBatch`, each with its own rows, `_load_id`, count and fate.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { TableMapping } from '../../lib/config/index.js';
import { TerminalError } from '../../lib/errors.js';
import { goFileText, prepareLoad } from '../../lib/load/index.js';
import type { GoFileInput, LoadJob, LoadResult } from '../../lib/load/index.js';
import { formatOf, loadText, mappingOf, withHarness } from './warehouse-contract.js';
import type { WarehouseContractOptions, WarehouseHarness } from './warehouse-contract.js';

const goProps = { pattern: 'b_*.go', format: 'properties', rowCountKey: 'record_count' } as const;

export interface FileSpec {
  name: string;
  content: string | Buffer;
  mapping: TableMapping;
  goFile?: GoFileInput;
  /** As the pipeline marks a path's first claim: nothing of it can be in the warehouse (no lookup needed). */
  fresh?: boolean;
}

/** Each file readied as the loader readies it (no lookup first: the batch decides), then all in one `loadBatch`. */
export async function loadBatch(h: WarehouseHarness, files: FileSpec[]): Promise<{ jobs: LoadJob[]; fates: PromiseSettledResult<LoadResult>[] }> {
  const jobs: LoadJob[] = [];
  for (const f of files) {
    const source = await h.source(f.name, f.content);
    const request = { source, mapping: f.mapping, compressed: false, loadId: randomUUID(), ...formatOf(f.name), ...(f.goFile ? { goFile: f.goFile } : {}), ...(f.fresh ? { fresh: true } : {}) };
    const prepared = await prepareLoad(h.warehouse, request, { lookupFirst: false });
    assert.ok('job' in prepared, `${f.name} is ready for the warehouse`);
    jobs.push(prepared.job);
  }
  return { jobs, fates: await h.warehouse.loadBatch(jobs) };
}

function loaded(fate: PromiseSettledResult<LoadResult> | undefined): LoadResult {
  assert.equal(fate?.status, 'fulfilled', fate?.status === 'rejected' ? String(fate.reason) : '');
  return (fate as PromiseFulfilledResult<LoadResult>).value;
}

const rowsOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i},v${i}\n`).join('');

export function runBatchContract(options: WarehouseContractOptions): void {
  const it = (name: string, body: (h: WarehouseHarness) => Promise<void>) => test(name, withHarness(options, body));

  it('a batch of files for two tables commits each with its own rows, _load_id and load_metadata row', async (h) => {
    const files: FileSpec[] = [
      ...[1, 2, 3].map((i) => ({ name: `ba_${i}.csv`, content: `id,v\n${rowsOf(i, `a${i}-`)}`, mapping: mappingOf('ba') })),
      { name: 'bb_1.csv', content: `k,v\n${rowsOf(2, 'b1-')}`, mapping: mappingOf('bb') },
      // Drift in the same batch: the table's columns come from the first file; `extra` goes to _extra.
      { name: 'bb_2.csv', content: 'v,k,extra\nw,b2-0,x\n', mapping: mappingOf('bb') },
    ];
    const { jobs, fates } = await loadBatch(h, files);
    const results = fates.map(loaded);
    assert.deepEqual(results.map((r) => [r.status, r.rows]), [['loaded', 1], ['loaded', 2], ['loaded', 3], ['loaded', 2], ['loaded', 1]]);
    assert.deepEqual(results.map((r) => r.loadId), jobs.map((j) => j.loadId));
    const ba = (await h.rows('ba'))!;
    for (const [i, job] of jobs.slice(0, 3).entries()) {
      assert.deepEqual(ba.filter((r) => r._load_id === job.loadId).map((r) => r.id).sort(), Array.from({ length: i + 1 }, (_, k) => `a${i + 1}-${k}`));
    }
    const bb = (await h.rows('bb'))!;
    assert.deepEqual(await h.columns('bb'), ['k', 'v', '_extra', '_load_id']);
    const drifted = bb.find((r) => r._load_id === jobs[4]!.loadId)!;
    assert.deepEqual([drifted.k, drifted.v, JSON.parse(drifted._extra ?? 'null')], ['b2-0', 'w', { extra: 'x' }]);
    const metadata = await h.metadata();
    assert.deepEqual(
      metadata.map((m) => [m.load_id, m.table_name, m.path, m.row_count, m.status]).sort(),
      jobs.map((j, i) => [j.loadId, j.table, j.source.path, results[i]!.rows, 'loaded']).sort(),
    );
  });

  it('a bad file in a batch fails alone, named by its line; the table it shared with good files holds exactly theirs', async (h) => {
    const mapping = mappingOf('bc');
    const { jobs, fates } = await loadBatch(h, [
      { name: 'bc_1.csv', content: `a,b\n${rowsOf(2, 'x')}`, mapping },
      { name: 'bc_2.csv', content: 'a,b\n1,2\n3,4,5\n', mapping },
      { name: 'bc_3.csv', content: `a,b\n${rowsOf(3, 'y')}`, mapping },
    ]);
    assert.deepEqual([loaded(fates[0]).rows, loaded(fates[2]).rows], [2, 3]);
    assert.equal(fates[1]?.status, 'rejected');
    const error = (fates[1] as PromiseRejectedResult).reason;
    assert.ok(error instanceof TerminalError, String(error));
    assert.match(error.message, /bc_2\.csv.*line 3/);
    const ids = new Set((await h.rows('bc'))!.map((r) => r._load_id));
    assert.deepEqual([...ids].sort(), [jobs[0]!.loadId, jobs[2]!.loadId].sort());
    assert.deepEqual((await h.metadata()).map((m) => m.load_id).sort(), [jobs[0]!.loadId, jobs[2]!.loadId].sort(), 'the port records no failure: the use case does');
  });

  it("a count that does not match fails only that file's load; a file loaded before is skipped beside new ones", async (h) => {
    const mapping = mappingOf('b', { goFile: goProps });
    const before = await loadText(h, 'b_0.csv', 'a\n1\n', mapping, { goFile: goFileText('b_0.go', 'record_count=1\n') });
    assert.equal(before.outcome.status, 'loaded');
    const { fates } = await loadBatch(h, [
      { name: 'b_0.csv', content: 'a\n1\n', mapping, goFile: goFileText('b_0.go', 'record_count=1\n') },
      { name: 'b_1.csv', content: 'a\n1\n2\n', mapping, goFile: goFileText('b_1.go', 'record_count=2\n') },
      { name: 'b_2.csv', content: 'a\n1\n2\n', mapping, goFile: goFileText('b_2.go', 'record_count=3\n') },
    ]);
    assert.deepEqual([loaded(fates[0]).status, loaded(fates[0]).loadId], ['skipped', before.outcome.loadId]);
    assert.equal(loaded(fates[1]).rows, 2);
    assert.equal(fates[2]?.status, 'rejected');
    assert.match(String((fates[2] as PromiseRejectedResult).reason), /expected 3.*found 2|found 2.*expected 3/i);
    assert.equal((await h.rows('b'))!.length, 3, 'b_0 once and b_1: nothing of b_2');
  });

  it('trailer files and a semicolon file batch with plain ones: each trailer left out and counted, a wrong count fails its file alone', async (h) => {
    const trailer = mappingOf('bt', { trailer: { rowCountColumn: 2 } });
    const { jobs, fates } = await loadBatch(h, [
      { name: 'bt_1.csv', content: 'a,b\n1,"x\ny"\n2,z\nTRAILER,2,EOF\n', mapping: trailer },
      { name: 'bt_2.csv', content: 'a,b\n3,w\nTRAILER,9,EOF\n', mapping: trailer },
      { name: 'bt_3.csv', content: 'a,b\n4,v\nTRAILER,1,EOF\n', mapping: trailer },
      { name: 'bs_1.csv', content: 'a;b\n5;"u;t"\n', mapping: mappingOf('bs', { delimiter: ';' }) },
      { name: 'bs_2.csv', content: 'a,b\n6,s\n', mapping: mappingOf('bs') },
    ]);
    assert.deepEqual([0, 2, 3, 4].map((i) => loaded(fates[i]).rows), [2, 1, 1, 1]);
    assert.match(String((fates[1] as PromiseRejectedResult).reason), /bt_2\.csv: expected 9 rows/);
    assert.deepEqual((await h.rows('bt'))!.map((r) => [r.a, r.b, r._load_id]), [['1', 'x\ny', jobs[0]!.loadId], ['2', 'z', jobs[0]!.loadId], ['4', 'v', jobs[2]!.loadId]]);
    assert.deepEqual((await h.rows('bs'))!.map((r) => [r.a, r.b]), [['5', 'u;t'], ['6', 's']]);
  });
}
