// The loader's group commit on a real DuckDB file: files readied while a commit runs commit together, each on its own terms.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import type { DuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import type { TableMapping } from '../../../lib/config/index.js';
import type { LoadRequest, Warehouse } from '../../../lib/load/index.js';
import { HandedBack, groupCommit } from '../../../lib/pipeline/index.js';
import { waitFor } from '../../wait-for.js';

let dir: string;
const mapping: TableMapping = { pattern: 'gc_*.csv', table: 'raw_gc', delimiter: ',', reupload: 'replace', source: { file: 'test', line: 1 } };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-group-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function request(name: string, content: string): Promise<LoadRequest> {
  const path = join(dir, name);
  await writeFile(path, content);
  return { source: await openLocalFile(path), mapping, compressed: false, loadId: randomUUID() };
}

const csv = (rows: number, tag: string) => `id,name\n${Array.from({ length: rows }, (_, i) => `${tag}-${i},n${i}`).join('\n')}\n`;

/** The first commit held until the test lets it go: what a slow warehouse does to the files queued behind it. */
function holdFirstCommit(warehouse: Warehouse): { gated: Warehouse; release: () => void; commits: () => number } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let commits = 0;
  const gated: Warehouse = { ...warehouse, loadBatch: async (jobs) => ((commits++ === 0 ? await held : undefined), warehouse.loadBatch(jobs)) };
  return { gated, release, commits: () => commits };
}

/** The real warehouse, with the size of each `loadBatch` it was handed written down. */
function counted(warehouse: DuckDbWarehouse): { warehouse: Warehouse; batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    warehouse: {
      priorLoads: (t, p) => warehouse.priorLoads(t, p),
      load: (job, options) => warehouse.load(job, options),
      loadBatch: (jobs) => {
        batches.push(jobs.length);
        return warehouse.loadBatch(jobs);
      },
      recordFailure: (f) => warehouse.recordFailure(f),
      close: () => warehouse.close(),
    },
  };
}

test('files that arrive together: the first commits at once, alone; the rest wait for it and commit together; each once, its own rows', async () => {
  const real = await openDuckDbWarehouse(join(dir, 'together.duckdb'), { tempDirectory: dir });
  const { warehouse, batches } = counted(real);
  try {
    const load = groupCommit({ maxFiles: 1000, maxBytes: 1e9, commitIntervalMs: 0 });
    const requests = await Promise.all(Array.from({ length: 40 }, (_, i) => request(`gc_${i}.csv`, csv(1 + (i % 5), `f${i}`))));
    const reports = await Promise.all(requests.map((r) => load(warehouse, r)));
    assert.deepEqual(reports.map((r) => [r.outcome.status, r.outcome.rows]), requests.map((_, i) => ['loaded', 1 + (i % 5)]));
    assert.equal(batches[0], 1, 'the first file ready found no commit running: it went at once, with no company');
    assert.equal(batches.reduce((a, b) => a + b, 0), 40, 'every file was handed to the warehouse once');
    assert.ok(batches.length <= 5, `files ready while a commit ran went together: ${batches.length} commits for 40 files (${batches.join(', ')})`);
    const counts = await real.query('SELECT _load_id, count(*) AS n, min(id) AS first FROM raw_gc GROUP BY _load_id');
    assert.equal(counts.length, 40);
    for (const [i, r] of requests.entries()) {
      const row = counts.find((c) => c._load_id === r.loadId);
      assert.deepEqual([Number(row?.n), row?.first], [1 + (i % 5), `f${i}-0`], `file ${i} holds its own rows under its own load id`);
    }
    const metadata = await real.query("SELECT count(*) AS n FROM load_metadata WHERE status = 'loaded'");
    assert.equal(Number(metadata[0]?.n), 40);
  } finally {
    await real.close();
  }
});

test("a bad file among good ones fails alone with its own failed load_metadata row; maxFiles caps a commit", async () => {
  const real = await openDuckDbWarehouse(join(dir, 'bad.duckdb'), { tempDirectory: dir });
  const { warehouse, batches } = counted(real);
  try {
    const load = groupCommit({ maxFiles: 4, maxBytes: 1e9, commitIntervalMs: 0 });
    const requests = await Promise.all(
      Array.from({ length: 9 }, (_, i) => request(`gc_b${i}.csv`, i === 5 ? 'id,name\n1,a\n2,b,c\n' : csv(2, `g${i}`))),
    );
    const reports = await Promise.all(requests.map((r) => load(warehouse, r)));
    assert.deepEqual(reports.map((r) => r.outcome.status), requests.map((_, i) => (i === 5 ? 'failed' : 'loaded')));
    assert.match(reports[5]!.outcome.error ?? '', /gc_b5\.csv.*line 3/);
    assert.ok(batches.every((n) => n <= 4), `no commit took more than maxFiles: ${batches.join(', ')}`);
    const rows = await real.query('SELECT DISTINCT _load_id FROM raw_gc');
    assert.deepEqual(rows.map((r) => r._load_id).sort(), requests.filter((_, i) => i !== 5).map((r) => r.loadId).sort());
    const failed = await real.query("SELECT load_id FROM load_metadata WHERE status = 'failed'");
    assert.deepEqual(failed.map((r) => r.load_id), [requests[5]!.loadId]);
  } finally {
    await real.close();
  }
});

test('commits are spaced by commitIntervalMs, never a lone file held: one after a quiet interval goes at once', async () => {
  const real = await openDuckDbWarehouse(join(dir, 'spaced.duckdb'), { tempDirectory: dir });
  try {
    const starts: { at: number; files: number; waitedMs: number }[] = [];
    const intervalMs = 400;
    const load = groupCommit({ maxFiles: 1000, maxBytes: 1e9, commitIntervalMs: intervalMs, onCommit: (c) => starts.push({ ...c, at: Date.now() }) });
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => request(`gc_s${i}.csv`, csv(1, `s${i}`))));
    await Promise.all(burst.map((r) => load(real, r)));
    assert.ok(starts.length >= 2, 'the burst took more than one commit');
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]!.at - starts[i - 1]!.at >= intervalMs - 5, `commit ${i} started ${starts[i]!.at - starts[i - 1]!.at} ms after the one before`);
    // Once a whole interval has passed since the last commit began, a lone file does not wait at all.
    const quietUntil = starts.at(-1)!.at + intervalMs;
    while (Date.now() < quietUntil) await new Promise((resolve) => setTimeout(resolve, quietUntil - Date.now()));
    const lone = await request('gc_lone.csv', csv(1, 'lone'));
    assert.equal((await load(real, lone)).outcome.status, 'loaded');
    assert.deepEqual([starts.at(-1)!.files, starts.at(-1)!.waitedMs], [1, 0]);
  } finally {
    await real.close();
  }
});

test("a file that waits behind a commit past its commitBy (its claim's last renewal) is handed back then, retryable and untouched; the rest commit", async () => {
  const real = await openDuckDbWarehouse(join(dir, 'expired.duckdb'), { tempDirectory: dir });
  const { gated, release, commits } = holdFirstCommit(counted(real).warehouse);
  try {
    const load = groupCommit({ maxFiles: 1000, maxBytes: 1e9, commitIntervalMs: 0 });
    const [first, late, inTime] = await Promise.all([request('gc_e0.csv', csv(1, 'e0')), request('gc_e1.csv', csv(2, 'e1')), request('gc_e2.csv', csv(3, 'e2'))]);
    const firstReport = load(gated, first);
    await waitFor('the first commit to start', () => (commits() === 1 ? true : undefined), 10_000);
    const commitBy = Date.now() + 100;
    let handedBackAt: number | undefined;
    const lateHandedBack = assert.rejects(
      load(gated, { ...late, commitBy }).finally(() => (handedBackAt = Date.now())),
      (e: unknown) => e instanceof HandedBack && /gc_e1\.csv: waited past .*handed back/.test(e.message),
    );
    const inTimeReport = load(gated, { ...inTime, commitBy: Date.now() + 60_000 });
    // At its commitBy, while the commit ahead of it still runs: not when that commit ends, past its lease.
    await waitFor('the late file handed back while the first commit is held', () => handedBackAt, 10_000);
    assert.ok(handedBackAt! >= commitBy, 'not before its commitBy');
    release();
    assert.equal((await firstReport).outcome.status, 'loaded');
    assert.equal((await inTimeReport).outcome.rows, 3);
    await lateHandedBack;
    const ids = await real.query('SELECT DISTINCT _load_id FROM raw_gc');
    assert.deepEqual(ids.map((r) => r._load_id).sort(), [first.loadId, inTime.loadId].sort(), 'the late file has no rows');
    const rows = await real.query('SELECT load_id FROM load_metadata');
    assert.deepEqual(rows.map((r) => r.load_id).sort(), [first.loadId, inTime.loadId].sort(), 'nor a load_metadata row');
    // Handed back whole: its redelivery loads it.
    assert.deepEqual((await load(gated, late)).outcome.rows, 2);
  } finally {
    release();
    await real.close();
  }
});

test('a file whose commitBy comes before the next commit can be expected to end (as long as the last took) is handed back at its start', async () => {
  const real = await openDuckDbWarehouse(join(dir, 'outlast.duckdb'), { tempDirectory: dir });
  const { warehouse, batches } = counted(real);
  const { gated, release, commits } = holdFirstCommit(warehouse);
  try {
    const load = groupCommit({ maxFiles: 1000, maxBytes: 1e9, commitIntervalMs: 0 });
    const [first, short, long] = await Promise.all([request('gc_o0.csv', csv(1, 'o0')), request('gc_o1.csv', csv(2, 'o1')), request('gc_o2.csv', csv(3, 'o2'))]);
    const releaseAt = Date.now() + 600;
    const firstReport = load(gated, first);
    await waitFor('the first commit to start', () => (commits() === 1 ? true : undefined), 10_000);
    // The first commit takes at least 600 ms; the next starts as it ends, and `short`'s claim lapses 150 ms into it.
    const shortHandedBack = assert.rejects(load(gated, { ...short, commitBy: releaseAt + 150 }), (e: unknown) => e instanceof HandedBack && /gc_o1\.csv: its loader's timeout .* comes before a commit could end/.test(e.message));
    const longReport = load(gated, { ...long, commitBy: Date.now() + 60_000 });
    await waitFor('the first commit to have run 600 ms', () => (Date.now() >= releaseAt ? true : undefined), 10_000);
    release();
    assert.equal((await firstReport).outcome.status, 'loaded');
    await shortHandedBack;
    assert.equal((await longReport).outcome.rows, 3);
    assert.deepEqual(batches, [1, 1], 'the second commit took only the file with time left');
    const ids = await real.query('SELECT DISTINCT _load_id FROM raw_gc');
    assert.deepEqual(ids.map((r) => r._load_id).sort(), [first.loadId, long.loadId].sort());
  } finally {
    release();
    await real.close();
  }
});
