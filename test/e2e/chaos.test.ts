// Chaos on the real local stack: a burst of 138 uploads (plain files, go-file pairs in either order, trailers, bad
// files, same-content re-uploads, one name in two folders) while the matcher and the loader are SIGKILLed and
// restarted eight times and the push relay once. Then every row is in once per file, every object is in exactly one
// of archive / failed / landing, and the loaded load_metadata rows are the good files.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadTopology } from '../../lib/config/index.js';
import { startE2E, type E2E } from './harness.js';

/** How long after the last kill everything must have settled: the test's stated bound. */
const SETTLE_BOUND_MS = 180_000;
const KILLS = 8;

interface Upload {
  name: string;
  body: string;
  /** The data file's path and rows when this upload is a good data file (go files, bad files, re-uploads: none). */
  loads?: { path: string; table: string; rows: number };
  bad?: boolean;
}

const lines = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => `${row(i)}\n`).join('');

/** The burst, in upload order: go files before or after their data file, re-uploads late in the burst. */
function workload(): Upload[] {
  const uploads: Upload[] = [];
  for (let i = 0; i < 50; i++) {
    // Ten names are dropped into two folders each: day1/ and day2/ are different files.
    const name = i < 40 ? `instruments_2026${String(1000 + i)}.csv` : `day${(i % 2) + 1}/instruments_20261${String(100 + (i % 5))}.csv`;
    const rows = 3 + (i % 17);
    uploads.push({ name, body: `isin,name\n${lines(rows, (r) => `I${i}-${r},n${r}`)}`, loads: { path: name, table: 'raw_instruments', rows } });
  }
  for (let i = 0; i < 25; i++) {
    const key = `2026${String(2000 + i)}`;
    const rows = 2 + (i % 11);
    const data: Upload = { name: `trades_${key}.csv`, body: `id,qty\n${lines(rows, (r) => `${i}-${r},${r}`)}`, loads: { path: `trades_${key}.csv`, table: 'raw_trades', rows } };
    const go: Upload = { name: `trades_${key}.go`, body: `record_count=${rows}\n` };
    uploads.push(...(i % 2 === 0 ? [go, data] : [data, go]));
  }
  for (let i = 0; i < 5; i++) {
    const key = `2026${String(3000 + i)}`;
    const rows = 4 + i;
    uploads.push(
      { name: `positions_${key}.ctl`, body: `positions_${key}.csv,${rows},SUCCESS\n` },
      { name: `positions_${key}.csv`, body: `book,qty\n${lines(rows, (r) => `B${i},${r}`)}`, loads: { path: `positions_${key}.csv`, table: 'raw_positions', rows } },
    );
  }
  for (let i = 0; i < 10; i++) {
    const name = `eod_prices_2026${String(4000 + i)}.csv`;
    const rows = 5 + i;
    uploads.push({ name, body: `isin,px\n${lines(rows, (r) => `P${r},${r}.5`)}TRAILER,${rows},EOF\n`, loads: { path: name, table: 'raw_eod_prices', rows } });
  }
  for (let i = 0; i < 4; i++) uploads.push({ name: `instruments_2026${5000 + i}.csv`, body: 'isin,name\nX1,a\nX2,b,extra\n', bad: true });
  for (let i = 0; i < 4; i++) uploads.push({ name: `eod_prices_2026${5100 + i}.csv`, body: 'isin,px\nP1,1.5\nP2,2.5\n', bad: true });
  // Same content again, later in the burst: the path is loaded once, whichever generation wins.
  for (let i = 0; i < 10; i++) uploads.push({ name: uploads[i * 3]!.name, body: uploads[i * 3]!.body });
  // Interleave so each kind is spread over the burst (a stable shuffle by index).
  return uploads.map((u, i) => ({ u, k: (i * 37) % uploads.length })).sort((a, b) => a.k - b.k).map(({ u }) => u);
}

let e2e: E2E;

before(async () => {
  const base = await loadTopology('config/topology.yaml');
  e2e = await startE2E({
    functions: ['matcher', 'loader', 'sweep'],
    leaseMs: 5_000,
    // The sweep every 3 s here (every 5 min in production): files whose messages ran out of attempts are back soon.
    topology: { ...base, sweep: { ...base.sweep, localIntervalSeconds: 3 } },
  });
});

after(async () => {
  await e2e?.stop();
});

test('a burst under repeated SIGKILLs of the matcher and loader and a relay restart: every file once, every object in one place', { timeout: 900_000 }, async (t) => {
  const { landing } = e2e.stack.topology.buckets;
  const bucket = e2e.storage.bucket(landing.name);
  const burst = workload();
  const uploaded: { name: string; generation: string }[] = [];
  let uploading = true;
  const uploads = (async () => {
    for (let i = 0; i < burst.length; i += 6) {
      await Promise.all(
        burst.slice(i, i + 6).map(async (u) => {
          const file = bucket.file(`${landing.prefix}${u.name}`);
          await file.save(u.body, { resumable: false });
          uploaded.push({ name: file.name, generation: String(file.metadata.generation) });
        }),
      );
      await sleep(150);
    }
    uploading = false;
  })();

  // Kill one of them every ~1.5 s while files arrive (and after, if the burst ends first), then bring it back.
  let lastKill = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    await sleep(1_500);
    const part = kill % 2 === 0 ? 'loader' : 'matcher';
    e2e.stack.kill(part, 'SIGKILL');
    lastKill = Date.now();
    if (kill === KILLS / 2) {
      e2e.stack.kill('relay', 'SIGKILL');
      await e2e.stack.restart('relay');
    }
    await e2e.stack.restart(part);
  }
  await uploads;
  assert.equal(uploading, false);
  assert.equal(uploaded.length, burst.length);

  const good = burst.filter((u) => u.loads).map((u) => u.loads!);
  const badCount = burst.filter((u) => u.bad).length;
  // Settled: landing is empty and every file has its final load event. (Polling the DuckDB file itself would
  // hold its lock against the loader; it is read once, below.)
  let seen = '';
  const settled = async () => {
    const [inLanding] = await bucket.getFiles({ prefix: landing.prefix });
    // A loader killed after its commit is redelivered, finds the file loaded and tells that load: `loaded` too.
    const paths = (status: string) => new Set(e2e.events.filter((e) => e.status === status).map((e) => e.path));
    const [loaded, failed] = [paths('loaded').size, paths('failed').size];
    seen = `landing holds ${inLanding.map((f) => f.name).join(', ') || 'nothing'}; ${loaded}/${good.length} loaded, ${failed}/${badCount} failed`;
    return inLanding.length === 0 && loaded === good.length && failed === badCount;
  };
  for (;;) {
    if (await settled()) break;
    if (Date.now() - lastKill > SETTLE_BOUND_MS) assert.fail(`not settled within ${SETTLE_BOUND_MS} ms of the last kill: ${seen} (logs: ${e2e.stack.logPath('loader')})`);
    await sleep(500);
  }
  t.diagnostic(`settled ${((Date.now() - lastKill) / 1000).toFixed(1)} s after the last kill`);

  // Rows once per file: the rows of every load of a path add up to the file's rows.
  for (const { path, table, rows } of good) {
    const [row] = await e2e.query(`select count(*)::int as n from ${table} where _load_id in (select load_id from load_metadata where path = '${path}' and status = 'loaded')`);
    assert.equal(Number(row?.n), rows, `${path}: ${row?.n} rows in ${table}, the file has ${rows}`);
    const [{ n } = { n: 0 }] = await e2e.query(`select count(*)::int as n from load_metadata where path = '${path}' and status = 'loaded'`);
    assert.equal(Number(n), 1, `${path} has one loaded load_metadata row`);
  }
  const loadedPaths = (await e2e.query("select distinct path from load_metadata where status = 'loaded' order by path")).map((r) => r.path);
  assert.deepEqual(loadedPaths, good.map((g) => g.path).sort());

  // Every uploaded generation is in exactly one place: archive or failed (landing is empty, checked above).
  const placed = new Map<string, number>();
  for (const role of ['archive', 'failed'] as const) {
    const [files] = await e2e.storage.bucket(e2e.stack.topology.buckets[role].name).getFiles();
    for (const f of files) {
      const origin = f.metadata.metadata ?? {};
      if (origin['landfall-origin-name'] === undefined) continue; // an .error.json sidecar
      const key = `${origin['landfall-origin-name']}#${origin['landfall-origin-generation']}`;
      placed.set(key, (placed.get(key) ?? 0) + 1);
    }
  }
  // An upload of a name that is still in landing replaces that object (no versioning): the older generation is gone,
  // its round superseded. So: the last generation of every name exactly once, any generation at most once.
  const last = new Map(uploaded.map((u) => [u.name, u.generation]));
  const misplaced = uploaded.filter((u) => {
    const copies = placed.get(`${u.name}#${u.generation}`) ?? 0;
    return copies > 1 || (last.get(u.name) === u.generation && copies !== 1);
  });
  assert.deepEqual(misplaced, [], 'each last generation is in the archive or the failed bucket exactly once, no generation twice');
});
