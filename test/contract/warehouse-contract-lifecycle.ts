// The warehouse contract, part two: idempotency, re-uploads, counts from go files and trailers, atomicity.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goFileText } from '../../lib/load/index.js';
import { loadText, mappingOf, withHarness } from './warehouse-contract.js';
import type { WarehouseContractOptions, WarehouseHarness } from './warehouse-contract.js';

const goProps = { pattern: 'g_*.go', format: 'properties', rowCountKey: 'record_count' } as const;

/** Asserts a failed load left `table` exactly as it was and added exactly one `failed` metadata row. */
async function assertUnchanged(
  h: WarehouseHarness,
  table: string,
  before: { rows: unknown; loaded: unknown[]; count: number },
  error: RegExp,
): Promise<void> {
  assert.deepEqual(await h.rows(table), before.rows, 'the table is exactly as it was');
  const meta = await h.metadata();
  assert.deepEqual(meta.filter((m) => m.status !== 'failed'), before.loaded, 'earlier metadata is untouched');
  const failed = meta.filter((m) => m.status === 'failed');
  assert.equal(meta.length, before.count + 1);
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.error ?? '', error);
  assert.equal(failed[0]!.row_count, 0);
}

async function snapshot(h: WarehouseHarness, table: string) {
  const meta = await h.metadata();
  return { rows: await h.rows(table), loaded: meta.filter((m) => m.status !== 'failed'), count: meta.length };
}

export function runLifecycleContract(options: WarehouseContractOptions): void {
  const it = (name: string, body: (h: WarehouseHarness) => Promise<void>) => test(name, withHarness(options, body));

  it('the same identity loads once: a second load is skipped, writes nothing and names the load and rows that hold it', async (h) => {
    const first = await loadText(h, 'i1_a.csv', 'a\n1\n2\n', mappingOf('i1'));
    const before = await snapshot(h, 'i1');
    const again = await loadText(h, 'i1_a.csv', 'a\n1\n2\n', mappingOf('i1'));
    assert.deepEqual([again.outcome.status, again.outcome.rows], ['skipped', 0]);
    assert.equal(again.outcome.loadId, first.outcome.loadId);
    assert.equal(again.earlierRows, 2);
    assert.deepEqual(await snapshot(h, 'i1'), before);
  });

  it('force (or a replay) reloads the identity and replaces its rows in the same transaction', async (h) => {
    const first = await loadText(h, 'i2_a.csv', 'a\n1\n2\n', mappingOf('i2'));
    const forced = await loadText(h, 'i2_a.csv', 'a\n1\n2\n', mappingOf('i2'), { force: true });
    const replayed = await loadText(h, 'i2_a.csv', 'a\n1\n2\n', mappingOf('i2'), { replay: true });
    assert.equal(forced.outcome.status, 'loaded');
    assert.deepEqual(forced.replacedLoadIds, [first.outcome.loadId]);
    assert.deepEqual(replayed.replacedLoadIds, [forced.outcome.loadId]);
    const rows = (await h.rows('i2')) ?? [];
    assert.equal(rows.length, 2, 'no duplicates');
    assert.ok(rows.every((r) => r._load_id === replayed.outcome.loadId));
    assert.deepEqual((await h.metadata()).map((m) => m.status), ['replaced', 'replaced', 'loaded']);
  });

  it('a new version of a loaded name replaces it by default, appends or is rejected as the mapping says', async (h) => {
    await loadText(h, 'r1_a.csv', 'a\nold\n', mappingOf('r1'));
    const replaced = await loadText(h, 'r1_a.csv', 'a\nnew\n', mappingOf('r1'));
    assert.equal(replaced.replacedLoadIds.length, 1);
    assert.deepEqual((await h.rows('r1'))?.map((r) => r.a), ['new']);

    await loadText(h, 'r2_a.csv', 'a\nold\n', mappingOf('r2', { reupload: 'append' }));
    await loadText(h, 'r2_a.csv', 'a\nnew\n', mappingOf('r2', { reupload: 'append' }));
    assert.deepEqual((await h.rows('r2'))?.map((r) => r.a).sort(), ['new', 'old']);

    await loadText(h, 'r3_a.csv', 'a\nold\n', mappingOf('r3', { reupload: 'reject' }));
    const before = await snapshot(h, 'r3');
    const rejected = await loadText(h, 'r3_a.csv', 'a\nnew\n', mappingOf('r3', { reupload: 'reject' }));
    assert.equal(rejected.outcome.status, 'failed');
    await assertUnchanged(h, 'r3', before, /reupload policy is "reject"/);
  });

  it('a go file count that matches loads; one that disagrees fails naming both files and the line', async (h) => {
    const mapping = mappingOf('g', { goFile: goProps });
    const ok = await loadText(h, 'g_1.csv', 'a\n1\n2\n', mapping, { goFile: goFileText('g_1.go', 'record_count=2\n') });
    assert.equal(ok.outcome.status, 'loaded');
    assert.equal((await h.metadata())[0]!.expected_rows, 2);
    const before = await snapshot(h, 'g');
    const bad = await loadText(h, 'g_2.csv', 'a\n1\n2\n', mapping, { goFile: goFileText('g_2.go', '# c\nrecord_count=3\n') });
    assert.equal(bad.outcome.status, 'failed');
    assert.match(bad.outcome.error ?? '', /g_2\.csv: expected 3 rows \(g_2\.go line 2\), found 2/);
    await assertUnchanged(h, 'g', before, /expected 3 rows/);
  });

  it('a data file whose go file has not arrived waits, and nothing is written', async (h) => {
    const report = await loadText(h, 'g_3.csv', 'a\n1\n', mappingOf('g', { goFile: goProps }));
    assert.equal(report.outcome.status, 'waiting');
    assert.equal(await h.rows('g'), undefined);
    assert.deepEqual(await h.metadata(), []);
  });

  it('a trailer is not loaded and its count is checked', async (h) => {
    const mapping = mappingOf('tr', { trailer: { rowCountColumn: 2 } });
    const ok = await loadText(h, 'tr_1.csv', 'a,b\n1,"x\ny"\n2,z\nTRAILER,2,EOF\n\n', mapping);
    assert.equal(ok.outcome.status, 'loaded', ok.outcome.error ?? '');
    assert.deepEqual((await h.rows('tr'))?.map((r) => r.a), ['1', '2']);
    const before = await snapshot(h, 'tr');
    const bad = await loadText(h, 'tr_2.csv', 'a,b\n1,x\nTRAILER,5,EOF', mapping);
    assert.match(bad.outcome.error ?? '', /tr_2\.csv: expected 5 rows \(tr_2\.csv line 3\), found 1/);
    await assertUnchanged(h, 'tr', before, /expected 5 rows/);
  });

  it('a bad row anywhere fails the whole file: an existing table is unchanged, a new one is not created', async (h) => {
    await loadText(h, 'at_1.csv', 'a,b\n1,2\n', mappingOf('at'));
    const before = await snapshot(h, 'at');
    const good = Array.from({ length: 5000 }, (_, i) => `${i},${i}`).join('\n');
    const bad = await loadText(h, 'at_2.csv', `a,b\n${good}\n1,2,3\n`, mappingOf('at'));
    assert.equal(bad.outcome.status, 'failed');
    assert.match(bad.outcome.error ?? '', /at_2\.csv line 5002: the row has 3 fields, but the header has 2/);
    await assertUnchanged(h, 'at', before, /line 5002/);
    const fresh = await loadText(h, 'nt_1.csv', 'a\n"open\n', mappingOf('nt'));
    assert.equal(fresh.outcome.status, 'failed');
    assert.equal(await h.rows('nt'), undefined, 'the table of a failed first load does not exist');
  });
}
