// A file the group commit hands back (its claim's timeout passed while it waited behind a slow commit) leaves its path
// untouched: the claim is given back as such, and the redelivery's claim is still the path's first, so it needs no
// "loaded before?" lookup (the BigQuery warehouse skips it for a fresh file). On the real emulators and DuckDB.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import type { Warehouse } from '../../../lib/load/index.js';
import { fileDocId, groupCommit, serialEngine } from '../../../lib/pipeline/index.js';
import { startHarness, type Harness } from './in-process.js';

let h: Harness;
before(async () => {
  h = await startHarness('hand-back-test');
});
after(async () => {
  await h?.stop();
});

const instruments = (rows: number, tag: string) => `id,name\n${Array.from({ length: rows }, (_, i) => `${tag}${i},n${i}`).join('\n')}\n`;
const loadedEvent = (batchKey: string) => () => h.events.find((e) => e.table === 'raw_instruments' && e.batchKey === batchKey && e.status === 'loaded');

test('a file handed back before any commit took it is claimed again as the path\'s first, and loads once', async () => {
  // The loader's timeout, 2 s here, is when a claim stops being renewed: no commit of its file starts after that.
  const { loader } = h.loader.topology.functions;
  h.loader.topology = { ...h.loader.topology, functions: { ...h.loader.topology.functions, loader: { ...loader, timeoutSeconds: 2 } } };
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let commits = 0;
  // The first commit is held until the test lets it go: a slow warehouse, with a file queued behind it.
  const open = async (): Promise<Warehouse> => {
    const real = await openDuckDbWarehouse(h.duckdbPath);
    return {
      priorLoads: (t, p) => real.priorLoads(t, p),
      load: (job, options) => real.load(job, options),
      loadBatch: async (jobs) => ((commits++ === 0 ? await held : undefined), real.loadBatch(jobs)),
      recordFailure: (f) => real.recordFailure(f),
      close: () => real.close(),
    };
  };
  const engine = serialEngine(open, groupCommit({ maxFiles: 1000, maxBytes: 1e9, commitIntervalMs: 0 }));
  const asked: { file: string; fresh: boolean; at: number }[] = [];
  h.setLoad((request) => {
    asked.push({ file: request.source.name, fresh: request.fresh === true, at: Date.now() });
    return engine(request);
  });
  try {
    await h.upload('instruments_hb1.csv', instruments(2, 'a'));
    await h.waitFor('the first commit to start', () => commits === 1);
    await h.upload('instruments_hb2.csv', instruments(3, 'b'));
    const queued = await h.waitFor('the second file to reach the engine', () => asked.find((a) => a.file === 'instruments_hb2.csv'));
    await h.waitFor("the second file's claim to pass its loader timeout", () => Date.now() > queued.at + 2500, 10_000);
    release();
    await h.waitFor('both files loaded', () => loadedEvent('hb1')() && loadedEvent('hb2')(), 30_000);
  } finally {
    release();
    h.setLoad(h.realLoad);
  }
  // Handed back (at its claim's timeout, and once more if its next claim came while the held commit's length, longer
  // than this test's 2 s timeout, was still the estimate), then loaded: every claim of it the path's first.
  const second = asked.filter((a) => a.file === 'instruments_hb2.csv');
  assert.ok(second.length >= 2 && second.every((a) => a.fresh), `handed back, then loaded by a claim that is still the path's first: ${JSON.stringify(second)}`);
  const doc = await h.store.get(fileDocId('raw_instruments', '', 'hb2'));
  assert.deepEqual([doc?.claims, doc?.cleanReleases, doc?.state], [second.length, second.length - 1, 'loaded']);
  assert.ok(h.logs.some((l) => l.event === 'load_retry' && /instruments_hb2\.csv: waited past .*handed back/.test(String(l.fields.error))));
  const rows = await h.query("SELECT _load_id, count(*)::INTEGER AS n FROM raw_instruments WHERE id LIKE 'b%' GROUP BY _load_id");
  assert.deepEqual(rows.map((r) => r.n), [3], 'its rows once, from one load');
});
