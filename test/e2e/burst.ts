// The chaos tests' burst (plain files, go-file pairs in either order, trailers, bad files, re-uploads, one name in two
// folders), its upload, and the checks after it: rows once per file, every object in exactly one place.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { E2E } from './harness.js';

export interface Upload {
  name: string;
  body: string;
  /** The data file's path and rows when this upload is a good data file (go files, bad files, re-uploads: none). */
  loads?: { path: string; table: string; rows: number };
  bad?: boolean;
}

export interface Uploaded {
  name: string;
  generation: string;
  /** When the upload finished (ms since the epoch). */
  at: number;
}

const lines = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => `${row(i)}\n`).join('');

/** The burst, in upload order: go files before or after their data file, re-uploads late in the burst. `tag` keeps two bursts apart. */
export function workload(tag = '2026'): Upload[] {
  const uploads: Upload[] = [];
  for (let i = 0; i < 50; i++) {
    // Ten names are dropped into two folders each: day1/ and day2/ are different files.
    const name = i < 40 ? `instruments_${tag}${String(1000 + i)}.csv` : `day${(i % 2) + 1}/instruments_${tag}1${String(100 + (i % 5))}.csv`;
    const rows = 3 + (i % 17);
    uploads.push({ name, body: `isin,name\n${lines(rows, (r) => `I${i}-${r},n${r}`)}`, loads: { path: name, table: 'raw_instruments', rows } });
  }
  for (let i = 0; i < 25; i++) {
    const key = `${tag}${String(2000 + i)}`;
    const rows = 2 + (i % 11);
    const data: Upload = { name: `trades_${key}.csv`, body: `id,qty\n${lines(rows, (r) => `${i}-${r},${r}`)}`, loads: { path: `trades_${key}.csv`, table: 'raw_trades', rows } };
    const go: Upload = { name: `trades_${key}.go`, body: `record_count=${rows}\n` };
    uploads.push(...(i % 2 === 0 ? [go, data] : [data, go]));
  }
  for (let i = 0; i < 5; i++) {
    const key = `${tag}${String(3000 + i)}`;
    const rows = 4 + i;
    uploads.push(
      { name: `positions_${key}.ctl`, body: `positions_${key}.csv,${rows},SUCCESS\n` },
      { name: `positions_${key}.csv`, body: `book,qty\n${lines(rows, (r) => `B${i},${r}`)}`, loads: { path: `positions_${key}.csv`, table: 'raw_positions', rows } },
    );
  }
  for (let i = 0; i < 10; i++) {
    const name = `eod_prices_${tag}${String(4000 + i)}.csv`;
    const rows = 5 + i;
    uploads.push({ name, body: `isin,px\n${lines(rows, (r) => `P${r},${r}.5`)}TRAILER,${rows},EOF\n`, loads: { path: name, table: 'raw_eod_prices', rows } });
  }
  for (let i = 0; i < 4; i++) uploads.push({ name: `instruments_${tag}${5000 + i}.csv`, body: 'isin,name\nX1,a\nX2,b,extra\n', bad: true });
  for (let i = 0; i < 4; i++) uploads.push({ name: `eod_prices_${tag}${5100 + i}.csv`, body: 'isin,px\nP1,1.5\nP2,2.5\n', bad: true });
  // Same content again, later in the burst: the path is loaded once, whichever generation wins.
  for (let i = 0; i < 10; i++) uploads.push({ name: uploads[i * 3]!.name, body: uploads[i * 3]!.body });
  // Interleave so each kind is spread over the burst (a stable shuffle by index).
  return uploads.map((u, i) => ({ u, k: (i * 37) % uploads.length })).sort((a, b) => a.k - b.k).map(({ u }) => u);
}

/** Uploads the burst, `perStep` files at once with `gapMs` between steps; resolves with what landed, in order. */
export async function uploadBurst(e2e: E2E, burst: readonly Upload[], options: { perStep: number; gapMs: number }): Promise<Uploaded[]> {
  const { landing } = e2e.stack.topology.buckets;
  const bucket = e2e.storage.bucket(landing.name);
  const uploaded: Uploaded[] = [];
  for (let i = 0; i < burst.length; i += options.perStep) {
    await Promise.all(
      burst.slice(i, i + options.perStep).map(async (u) => {
        const file = bucket.file(`${landing.prefix}${u.name}`);
        await file.save(u.body, { resumable: false });
        uploaded.push({ name: file.name, generation: String(file.metadata.generation), at: Date.now() });
      }),
    );
    await sleep(options.gapMs);
  }
  return uploaded;
}

/**
 * Waits until landing is empty and every file of the burst has its final load event (a loader killed after its commit
 * is redelivered, finds the file loaded and tells that load: `loaded` too); fails past `deadline` with what is missing.
 * Resolves with when each file's final event was first seen (to the poll's half second), by path.
 */
export async function waitSettled(e2e: E2E, burst: readonly Upload[], deadline: () => number, what: string): Promise<Map<string, number>> {
  const seenAt = new Map<string, number>();
  const { landing } = e2e.stack.topology.buckets;
  const good = burst.filter((u) => u.loads).map((u) => u.loads!.path);
  const bad = new Set(burst.filter((u) => u.bad).map((u) => u.name));
  for (;;) {
    const [inLanding] = await e2e.storage.bucket(landing.name).getFiles({ prefix: landing.prefix });
    const paths = (status: string) => new Set(e2e.events.filter((e) => e.status === status).map((e) => e.path));
    const [loaded, failed] = [paths('loaded'), paths('failed')];
    for (const path of [...good.filter((p) => loaded.has(p)), ...[...bad].filter((p) => failed.has(p))]) if (!seenAt.has(path)) seenAt.set(path, Date.now());
    const missing = [...good.filter((p) => !loaded.has(p)), ...[...bad].filter((p) => !failed.has(p))];
    if (inLanding.length === 0 && missing.length === 0) return seenAt;
    if (Date.now() > deadline()) {
      assert.fail(`not settled ${what}: landing holds ${inLanding.map((f) => f.name).join(', ') || 'nothing'}; no final event for ${missing.join(', ') || 'none'} (logs: ${e2e.stack.logPath('loader')})`);
    }
    await sleep(500);
  }
}

/** Rows once per good file, load_metadata's loaded rows are the good files, every last generation in one place. */
export async function assertEveryFileOnce(e2e: E2E, burst: readonly Upload[], uploaded: readonly Uploaded[]): Promise<void> {
  const good = burst.filter((u) => u.loads).map((u) => u.loads!);
  for (const { path, table, rows } of good) {
    const [row] = await e2e.query(`select count(*) as n from ${table} where _load_id in (select load_id from load_metadata where path = '${path}' and status = 'loaded')`);
    assert.equal(Number(row?.n), rows, `${path}: ${row?.n} rows in ${table}, the file has ${rows}`);
    const [{ n } = { n: 0 }] = await e2e.query(`select count(*) as n from load_metadata where path = '${path}' and status = 'loaded'`);
    assert.equal(Number(n), 1, `${path} has one loaded load_metadata row`);
  }
  const loadedPaths = new Set((await e2e.query("select distinct path from load_metadata where status = 'loaded'")).map((r) => String(r.path)));
  for (const { path } of good) assert.ok(loadedPaths.has(path), `${path} is loaded`);
  for (const { name } of burst.filter((u) => u.bad)) assert.ok(!loadedPaths.has(name), `${name} is bad and never loaded`);

  // Every uploaded generation is in exactly one place: archive or failed (landing is empty, checked by waitSettled).
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
}

/**
 * SIGKILLs the loader and the matcher in turn, one every ~1.5 s while files arrive (and after, if the burst ends
 * first), bringing each back at once; the relay too, halfway. Resolves with when the last kill was.
 */
export async function killRepeatedly(e2e: E2E, kills: number): Promise<number> {
  let lastKill = 0;
  for (let kill = 0; kill < kills; kill++) {
    await sleep(1_500);
    const part = kill % 2 === 0 ? 'loader' : 'matcher';
    e2e.stack.kill(part, 'SIGKILL');
    lastKill = Date.now();
    if (kill === kills / 2) {
      e2e.stack.kill('relay', 'SIGKILL');
      await e2e.stack.restart('relay');
    }
    await e2e.stack.restart(part);
  }
  return lastKill;
}
