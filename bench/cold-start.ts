// Cold start of each function from the deploy artifact on the runtime's Node: process start to first answer, and
// peak RSS. As deployed (the bundle with the build's compile cache), the bundle without a compile cache, and the
// same functions not bundled (tsc's dist/functions, with a compile cache a previous run filled). Each run is a
// fresh process; the variants alternate so that they share the machine's drift.
//   npm run bench:cold-start -- [--runs 5] [--out bench/out/cold-start.json]
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pushEnvelope } from '../emulators/push-envelope.js';
import { startStack } from '../emulators/stack.js';
import { NODE24, buildArtifact } from '../test/artifact/build.js';
import { compileCacheUse, firstAnswer, landedObject, peakRssMiB, startOnStack } from '../test/artifact/functions.js';
import { median, table } from './pipeline-trace.js';
import { handleArrival, type Bus, type BusMessage } from '../lib/pipeline/index.js';
import { connectClients, loadPipelineConfig, matcherDeps } from '../lib/wiring/index.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, out: { type: 'string', default: 'bench/out/cold-start.json' } } });
const RUNS = Number(args.runs);

const dir = await mkdtemp(join(tmpdir(), 'landfall-cold-'));
const [artifact, stack] = await Promise.all([
  buildArtifact(join(dir, 'upload')),
  startStack({ freePorts: true, functions: [], workDir: join(dir, 'stack'), log: () => {} }),
]);
await mkdir(join(dir, 'tmp'));

let n = 0;
const envelope = (data: Buffer, attributes: Record<string, string>, sub: string) =>
  pushEnvelope({ data, attributes, messageId: `cold-${++n}`, publishTime: new Date().toISOString() }, `projects/${stack.project}/subscriptions/${sub}`, 1);

/** A fresh landing object and its notification: every matcher and loader run has a new file. */
async function landed(): Promise<BusMessage> {
  const { data, attributes } = await landedObject(stack, `instruments_2025${String(1000 + n)}.csv`, 'isin,name\nDE1,one\n');
  return { data, attributes, messageId: `cold-${++n}`, publishTime: new Date().toISOString() };
}

const arrival = async () => {
  const { data, attributes } = await landed();
  return envelope(data, attributes, 'matcher');
};

/**
 * The load request the matcher would publish for a fresh file, made by the matcher's own use case in this process
 * (its document is `requested` in Firestore): the loader's first ack is a claim, a DuckDB load and the moves.
 */
// The clients read the emulator hosts from the process environment.
Object.assign(process.env, stack.env);
const matcherConfig = await loadPipelineConfig(process.env);
const matcherClients = connectClients(process.env, matcherConfig.topology);
const matcher = matcherDeps(matcherConfig, matcherClients, () => {});
async function loadRequest() {
  let request: Buffer | undefined;
  const capture: Bus = { publish: async (_topic, data) => ((request = data), 'cold-request') };
  await handleArrival({ ...matcher, bus: capture }, await landed());
  if (request === undefined) throw new Error('the matcher published no load request');
  return envelope(request, {}, 'loader');
}

const FUNCTIONS = {
  matcher: arrival,
  loader: loadRequest,
  dbtTrigger: async () => envelope(Buffer.from(JSON.stringify({ v: 1, table: 'raw_instruments', batchKey: '20241201', loadId: '11111111-2222-5333-8444-555555555555', status: 'loaded', rows: 2, file: 'gs://x/y#1' })), {}, 'dbtTrigger'),
  sweep: async () => envelope(Buffer.from(JSON.stringify({ v: 1, source: 'cloud-scheduler' })), {}, 'sweep'),
} as const;
type Fn = keyof typeof FUNCTIONS;

/** The compile cache as the build made it: restored before each run, since a process adds what it compiled. */
const shipped = join(artifact.dir, '.compile-cache');
await cp(shipped, join(dir, 'shipped-cache'), { recursive: true });
const restoreShipped = async () => {
  await rm(shipped, { recursive: true, force: true });
  await cp(join(dir, 'shipped-cache'), shipped, { recursive: true });
};

const NOT_BUNDLED = 'not bundled (dist/functions), cache warmed by a run';
const VARIANTS: Record<string, { env: Record<string, string>; before?: () => Promise<void> }> = {
  // functions-framework loads FUNCTION_SOURCE instead of package.json main.
  [NOT_BUNDLED]: { env: { FUNCTION_SOURCE: join(artifact.dir, 'dist/functions/index.js'), NODE_COMPILE_CACHE: join(dir, 'warm-cache') } },
  'bundle, no compile cache': { env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
  'as deployed (bundle, cache from the build)': { env: {}, before: restoreShipped },
};

interface Run {
  ms: number;
  rss: number;
  /** With NODE_DEBUG_NATIVE=COMPILE_CACHE: modules read from the cache, and modules compiled. */
  cached?: number;
  compiled?: number;
}

async function once(fn: Fn, env: Record<string, string>): Promise<Run> {
  const body = await FUNCTIONS[fn]();
  const { running, path, startedAt } = await startOnStack(stack, artifact.dir, fn, { duckdb: join(dir, 'cold.duckdb'), tmp: join(dir, 'tmp') }, env);
  try {
    const answer = await firstAnswer(running, path, body);
    const ms = performance.now() - startedAt;
    if (!answer.acked) throw new Error(`${fn}: no ack (${JSON.stringify(answer)})\n${running.output()}`);
    return { ms, rss: await peakRssMiB(running.process.pid!), ...(env.NODE_DEBUG_NATIVE ? compileCacheUse(running.output()) : {}) };
  } finally {
    running.process.kill('SIGTERM');
    await new Promise((resolve) => (running.process.exitCode !== null ? resolve(null) : running.process.once('exit', resolve)));
  }
}

/**
 * The floor: the Google clients alone making a first ack's calls (bench/client-floor.mjs), with a compile cache its
 * own first run filled, the most any function could hope for. Timed as the functions are: spawn → its answer.
 */
const FLOOR: Record<string, string> = { 'Firestore: one write': 'firestore', 'Firestore + Pub/Sub: one write, one publish': 'firestore+pubsub' };
async function floorOnce(clients: string): Promise<Run> {
  const startedAt = performance.now();
  const child = spawn(NODE24, [join(import.meta.dirname, 'client-floor.mjs'), clients], {
    env: { ...process.env, ...stack.env, FLOOR_TOPIC: stack.topology.topics.arrivals, NODE_COMPILE_CACHE: join(dir, 'floor-cache') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.includes('\n')) resolve();
      });
      void exited.then((code) => reject(new Error(`client-floor.mjs ${clients} exited ${code} before it answered`)));
    });
    return { ms: performance.now() - startedAt, rss: await peakRssMiB(child.pid!) };
  } finally {
    child.stdin.end();
    await exited;
  }
}

const results: Record<string, Record<string, { ms: number[]; rss: number[] }>> = {};
/** One untimed cold start of each function as deployed, telling how much of what it loads the build's cache holds. */
const coverage: Record<string, { cached: number; compiled: number }> = {};
try {
  for (const fn of Object.keys(FUNCTIONS) as Fn[]) {
    await once(fn, VARIANTS[NOT_BUNDLED]!.env); // fills the warm cache
    for (let run = 0; run < RUNS; run++) {
      for (const [variant, { env, before }] of Object.entries(VARIANTS)) {
        await before?.();
        const r = await once(fn, env);
        const slot = ((results[fn] ??= {})[variant] ??= { ms: [], rss: [] });
        slot.ms.push(r.ms);
        slot.rss.push(r.rss);
      }
    }
    await restoreShipped();
    const { cached = 0, compiled = 0 } = await once(fn, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    coverage[fn] = { cached, compiled };
  }
  for (const [name, clients] of Object.entries(FLOOR)) {
    await floorOnce(clients); // fills its compile cache
    for (let run = 0; run < RUNS; run++) {
      const r = await floorOnce(clients);
      const slot = ((results['floor: the clients alone'] ??= {})[name] ??= { ms: [], rss: [] });
      slot.ms.push(r.ms);
      slot.rss.push(r.rss);
    }
  }
} finally {
  await matcherClients.close();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}

const BASELINE = NOT_BUNDLED;
/** The median of each run's own ratio to the baseline run beside it: the machine's drift cancels out. */
const ratio = (r: { ms: number[] }, base: { ms: number[] }) => median(r.ms.map((ms, i) => ms / base.ms[i]!));
const rows = Object.entries(results).flatMap(([fn, byVariant]) =>
  Object.entries(byVariant).map(([variant, r]) => [
    fn,
    variant,
    `${Math.round(median(r.ms))} ms`,
    `${Math.round(Math.min(...r.ms))}–${Math.round(Math.max(...r.ms))}`,
    byVariant[BASELINE] ? `${ratio(r, byVariant[BASELINE]).toFixed(2)}×` : '',
    `${Math.round(median(r.rss))} MiB`,
  ]),
);
console.log(table(['function', 'variant', `first ack, median of ${RUNS}`, 'range', `time / ${BASELINE}, per pair`, 'peak RSS'], rows));
console.log(`\nmodules of one cold start as deployed, from the build's cache / compiled: ${Object.entries(coverage).map(([fn, c]) => `${fn} ${c.cached}/${c.compiled}`).join(', ')}`);
await mkdir(dirname(args.out), { recursive: true });
await writeFile(args.out, `${JSON.stringify({ at: new Date().toISOString(), runs: RUNS, node: NODE24, results, coverage }, null, 2)}\n`);
