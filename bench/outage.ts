// Loader outages during a steady stream, on the topology's own clocks: how long each affected file waits beyond the outage.
// npm run bench:outage -- [--outages 10,60,300] [--interval-ms 500] [--baseline]     (writes bench/out/outage.json)
//   --baseline also runs the 60 s outage on the clocks before issue 20 (5 attempts at 1–60 s, a 10-minute lease,
//   a sweep every 5 minutes that waited out the lease), for the ratio.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTopology, type Topology } from '../lib/config/index.js';
import { startE2E, type E2E } from '../test/e2e/harness.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const { values } = parseArgs({ options: { outages: { type: 'string', default: '10,60,300' }, 'interval-ms': { type: 'string', default: '500' }, baseline: { type: 'boolean', default: false } } });
const LEAD_MS = 20_000;
const TAIL_MS = 30_000;

interface Result {
  clocks: 'topology' | 'before';
  outageSeconds: number;
  files: number;
  affected: number;
  /** Delay of each affected file beyond the loader's return: settled − return. */
  beyondMs: { p50: number; p95: number; max: number };
  deadLettered: number;
  redriven: number;
  allSettled: boolean;
}

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);

/** The clocks before issue 20, for the baseline. */
function before(topology: Topology): Topology {
  return {
    ...topology,
    delivery: { ...topology.delivery, maxDeliveryAttempts: 5, minimumBackoffSeconds: 1, maximumBackoffSeconds: 60 },
    claims: { leaseSeconds: 600 },
    // The lease then outlived the loader's timeout (540 s), which the topology now refuses: the timeout follows it.
    functions: { ...topology.functions, loader: { ...topology.functions.loader, timeoutSeconds: 600 } },
    sweep: { ...topology.sweep, localIntervalSeconds: 300, readyAfterSeconds: 600, maxRedrives: 0 },
  };
}

async function countLines(e2e: E2E, part: 'sweep' | 'relay', pattern: RegExp): Promise<number> {
  return (await readFile(e2e.stack.logPath(part), 'utf8').catch(() => '')).split('\n').filter((l) => pattern.test(l)).length;
}

async function run(outageSeconds: number, clocks: Result['clocks']): Promise<Result> {
  const topology = await loadTopology('config/topology.yaml');
  const e2e = await startE2E({ functions: ['matcher', 'loader', 'sweep'], leaseMs: clocks === 'topology' ? 'topology' : 600_000, topology: clocks === 'topology' ? topology : before(topology) });
  try {
    const uploadedAt = new Map<string, number>();
    const seenAt = new Map<string, number>();
    let streaming = true;
    let stopWatching = false;
    const watcher = (async () => {
      for (let seen = 0; (streaming || seenAt.size < uploadedAt.size) && !stopWatching; ) {
        for (; seen < e2e.events.length; seen++) {
          const path = e2e.events[seen]!.path ?? '';
          if (!seenAt.has(path)) seenAt.set(path, Date.now());
        }
        await sleep(50);
      }
    })();
    const interval = Number(values['interval-ms']);
    const started = Date.now();
    let downAt = 0;
    let backAt = 0;
    const outage = (async () => {
      await sleep(LEAD_MS);
      e2e.stack.kill('loader', 'SIGKILL');
      downAt = Date.now();
      await sleep(outageSeconds * 1000);
      await e2e.stack.restart('loader');
      backAt = Date.now();
    })();
    for (let i = 0; !backAt || Date.now() < backAt + TAIL_MS; i++) {
      const name = `instruments_o${outageSeconds}${clocks[0]}${String(i).padStart(5, '0')}.csv`;
      await e2e.upload(name, `isin,name\nI${i},n\nJ${i},m\n`);
      uploadedAt.set(name, Date.now());
      await sleep(Math.max(0, started + (i + 1) * interval - Date.now()));
    }
    await outage;
    streaming = false;
    // Everything settles, or the limit of what the old clocks could take (lease + sweep) passes.
    const limit = Date.now() + (clocks === 'topology' ? 5 * 60_000 : 20 * 60_000);
    while (seenAt.size < uploadedAt.size && Date.now() < limit) await sleep(500);
    const allSettled = seenAt.size >= uploadedAt.size;
    stopWatching = true;
    await watcher;
    const affected = [...uploadedAt].filter(([name, at]) => at < backAt && (seenAt.get(name) ?? Infinity) > downAt);
    const beyond = affected.map(([name]) => (seenAt.get(name) ?? limit) - backAt).sort((a, b) => a - b);
    return {
      clocks,
      outageSeconds,
      files: uploadedAt.size,
      affected: affected.length,
      beyondMs: { p50: quantile(beyond, 0.5), p95: quantile(beyond, 0.95), max: beyond.at(-1) ?? 0 },
      deadLettered: await countLines(e2e, 'sweep', /"sweep_dead_letter_(redriven|left)"/),
      redriven: await countLines(e2e, 'sweep', /"sweep_(redrive|dead_letter_redriven)"/),
      allSettled,
    };
  } finally {
    await e2e.stop();
  }
}

const results: Result[] = [];
for (const outage of values.outages.split(',').map(Number)) {
  results.push(await run(outage, 'topology'));
  process.stderr.write(`outage ${outage} s: done\n`);
}
if (values.baseline) results.push(await run(60, 'before'));
const s = (ms: number) => (ms / 1000).toFixed(1);
console.log('| clocks | outage | files | affected | beyond p50 | beyond p95 | beyond max | dead-lettered | re-driven | all settled |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.clocks} | ${r.outageSeconds} s | ${r.files} | ${r.affected} | ${s(r.beyondMs.p50)} s | ${s(r.beyondMs.p95)} s | ${s(r.beyondMs.max)} s | ${r.deadLettered} | ${r.redriven} | ${r.allSettled ? 'yes' : 'NO'} |`);
}
await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, 'outage.json'), `${JSON.stringify({ at: new Date().toISOString(), intervalMs: Number(values['interval-ms']), results }, null, 2)}\n`);
