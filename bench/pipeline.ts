// Benchmark of the event pipeline on the local emulators: arrival-to-commit latency, and the time a burst of files takes.
// npm run bench:pipeline -- [--latency-files 200] [--latency-rows 10000] [--interval-ms 500] [--burst-files 1000]
//   [--burst-rows 1000] [--concurrency 16] [--runs 1] [--only latency|burst] [--quick] [--keep]     (writes bench/out/pipeline.json)
import type { Message } from '@google-cloud/pubsub';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WATCH_SUBSCRIPTIONS, pubsubClient, startStack, storageClient } from '../emulators/stack.js';
import { queryDuckDb } from '../test/e2e/harness.js';
import { validateLoadEvents } from '../lib/pipeline/index.js';
import { median, ms, readStageTimes, stageSummaries, summarize, table, type FileTrace, type Summary } from './pipeline-trace.js';
import { paced, pooled } from './pipeline-uploads.js';
import { cpuBetween, cpuReport, sampleCpu, type CpuUse } from './pipeline-cpu.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const SCENARIOS = ['latency', 'burst'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Options {
  latencyFiles: number;
  latencyRows: number;
  intervalMs: number;
  burstFiles: number;
  burstRows: number;
  concurrency: number;
  runs: number;
  only: Scenario | undefined;
  /** Keep each run's folder (logs, DuckDB file) for a look. */
  keep: boolean;
  quick: boolean;
}

interface RunResult {
  scenario: Scenario;
  run: number;
  files: number;
  rowsPerFile: number;
  bytesPerFile: number;
  loaded: number;
  /** Arrival (upload returned) → `load_metadata.completed_at`. */
  commitLatency: Summary;
  /** Arrival → the load event seen on a pull subscription. */
  eventLatency: Summary;
  /** First upload started → last commit. */
  totalMs: number;
  uploadMs: number;
  stages: Record<string, Summary>;
  stackStartupMs: number;
  /** The warm-up files (uploaded one after the other, before the measured ones), upload to last event. */
  warmUpMs: number;
  /** CPU seconds of each part (and of this uploading process) from the first measured upload to the last event. */
  cpu: CpuUse;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'latency-files': { type: 'string', default: '200' },
      'latency-rows': { type: 'string', default: '10000' },
      'interval-ms': { type: 'string', default: '500' },
      'burst-files': { type: 'string', default: '1000' },
      'burst-rows': { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '16' },
      runs: { type: 'string', default: '1' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const int = (name: keyof typeof values, quick: number): number => {
    const n = values.quick ? quick : Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got "${values[name]}"`);
    return n;
  };
  if (values.only !== undefined && !(SCENARIOS as readonly string[]).includes(values.only)) throw new Error(`--only must be one of ${SCENARIOS.join(', ')}`);
  return {
    latencyFiles: int('latency-files', 20),
    latencyRows: int('latency-rows', 1000),
    intervalMs: int('interval-ms', 500),
    burstFiles: int('burst-files', 50),
    burstRows: int('burst-rows', 100),
    concurrency: int('concurrency', 16),
    runs: Number(values.runs),
    only: values.only as Scenario | undefined,
    keep: values.keep!,
    quick: values.quick!,
  };
}

/** ~100-byte rows of 10 columns, like a trade file. */
function body(rows: number): Buffer {
  const lines = ['trade_id,trade_date,isin,side,quantity,price,currency,counterparty,book,note'];
  for (let i = 0; i < rows; i++) {
    lines.push(`T${i},2024-01-15,DE${String(i).padStart(10, '0')},${i % 2 ? 'BUY' : 'SELL'},${i % 9973},${(i % 100000) / 100},EUR,CPTY${i % 97},BOOK${i % 7},note ${i}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function runOnce(scenario: Scenario, run: number, options: Options): Promise<RunResult> {
  const files = scenario === 'latency' ? options.latencyFiles : options.burstFiles;
  const rows = scenario === 'latency' ? options.latencyRows : options.burstRows;
  const dir = await mkdtemp(join(tmpdir(), 'landfall-bench-'));
  await mkdir(join(dir, 'tables'));
  await mkdir(join(dir, 'tmp'));
  await writeFile(join(dir, 'tables', 'bench.yaml'), 'bench_*.csv: bench_rows\n');
  const dbPath = join(dir, 'bench.duckdb');
  const stack = await startStack({
    freePorts: true,
    functions: ['matcher', 'loader'],
    functionEnv: { DUCKDB_PATH: dbPath, TABLE_CONFIG_PATH: join(dir, 'tables'), LANDFALL_TEMP_DIR: join(dir, 'tmp') },
    workDir: join(dir, 'stack'),
    log: () => {},
  });
  const pubsub = pubsubClient(stack.project, stack.ports.pubsub);
  const watch = pubsub.subscription(WATCH_SUBSCRIPTIONS.loadEvents);
  const traces = new Map<string, FileTrace>();
  watch.on('message', (m: Message) => {
    for (const event of validateLoadEvents(JSON.parse(m.data.toString()))) {
      const trace = traces.get(event.batchKey);
      if (trace && trace.eventMs === undefined) Object.assign(trace, { eventMs: Date.now(), status: event.status });
    }
    m.ack();
  });
  try {
    const data = body(rows);
    const keys = Array.from({ length: files }, (_, i) => `${scenario[0]}${String(i).padStart(5, '0')}`);
    const bucket = storageClient(stack.project, stack.ports.storage).bucket(stack.topology.buckets.landing.name);
    const upload = async (key: string) => {
      const trace: FileTrace = { batchKey: key, uploadStartMs: Date.now(), uploadedMs: 0 };
      traces.set(key, trace);
      await bucket.file(`${stack.topology.buckets.landing.prefix}bench_${key}.csv`).save(data, { resumable: false });
      trace.uploadedMs = Date.now();
    };
    // Cold start (first gRPC channels, first DuckDB open) is not what this measures: a few files warm the stack.
    const warmStarted = Date.now();
    const warm = await warmUp(traces, upload);
    const warmUpMs = Date.now() - warmStarted;
    const cpuBefore = sampleCpu(stack);
    const started = Date.now();
    await (scenario === 'latency' ? paced(keys, options.intervalMs, upload) : pooled(keys, options.concurrency, upload));
    const uploadMs = Date.now() - started;
    await waitForEvents(traces, files + warm.length, Math.max(120_000, files * 500));
    const cpu = cpuBetween(cpuBefore, sampleCpu(stack));
    for (const key of warm) traces.delete(key);
    const committed = await queryDuckDb(dbPath, `select filename, epoch_ms(completed_at)::bigint as at from load_metadata where status = 'loaded'`);
    for (const row of committed) {
      const key = /^bench_(.+)\.csv$/.exec(String(row.filename))?.[1];
      const trace = key === undefined ? undefined : traces.get(key);
      if (trace) trace.committedMs = Number(row.at);
    }
    await readStageTimes(traces, stack.logPath('matcher'), stack.logPath('loader'));
    const all = [...traces.values()];
    const done = all.filter((t) => t.committedMs !== undefined);
    return {
      scenario,
      run,
      files,
      rowsPerFile: rows,
      bytesPerFile: data.length,
      loaded: done.length,
      commitLatency: summarize(done.map((t) => t.committedMs! - t.uploadedMs)),
      eventLatency: summarize(all.filter((t) => t.eventMs !== undefined).map((t) => t.eventMs! - t.uploadedMs)),
      totalMs: Math.max(...done.map((t) => t.committedMs!)) - Math.min(...all.map((t) => t.uploadStartMs)),
      uploadMs,
      stages: stageSummaries(all),
      stackStartupMs: stack.startupMs,
      warmUpMs,
      cpu,
    };
  } finally {
    await watch.close();
    await pubsub.close();
    await stack.stop();
    if (options.keep) process.stderr.write(`bench: kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

const WARM_UP_FILES = 3;

async function warmUp(traces: Map<string, FileTrace>, upload: (key: string) => Promise<void>): Promise<string[]> {
  const keys = Array.from({ length: WARM_UP_FILES }, (_, i) => `warm${i}`);
  for (const [i, key] of keys.entries()) {
    await upload(key);
    await waitForEvents(traces, i + 1, 120_000);
  }
  return keys;
}

async function waitForEvents(traces: Map<string, FileTrace>, files: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = [...traces.values()].filter((t) => t.eventMs !== undefined).length;
    if (seen >= files) return;
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${files} load events within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function report(results: RunResult[]): string {
  const rows = results.map((r) => [
    `${r.scenario} #${r.run}`,
    `${r.loaded}/${r.files} × ${r.rowsPerFile}`,
    ms(r.commitLatency.p50Ms),
    ms(r.commitLatency.p95Ms),
    ms(r.commitLatency.maxMs),
    ms(r.eventLatency.p50Ms),
    ms(r.totalMs),
  ]);
  const main = table(['run', 'files × rows', 'p50 commit', 'p95 commit', 'max commit', 'p50 event', 'first upload → last commit'], rows);
  const stages = results.map((r) => {
    const lines = Object.entries(r.stages).map(([label, s]) => [label, ms(s.p50Ms), ms(s.p95Ms), ms(s.maxMs)]);
    const cpu = cpuReport(`${r.scenario} #${r.run} CPU, first upload → last event`, r.cpu, r.files);
    return `${r.scenario} #${r.run} stages (per file):\n${table(['stage', 'p50', 'p95', 'max'], lines)}\n\n${cpu}`;
  });
  return [main, ...stages].join('\n\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scenarios = options.only ? [options.only] : [...SCENARIOS];
  const results: RunResult[] = [];
  const loadAtStart = loadavg();
  for (let run = 1; run <= options.runs; run++) {
    for (const scenario of scenarios) {
      process.stderr.write(`bench: ${scenario} run ${run}…\n`);
      results.push(await runOnce(scenario, run, options));
    }
  }
  const medians = Object.fromEntries(scenarios.map((s) => {
    const of = results.filter((r) => r.scenario === s);
    return [s, { p50Ms: median(of.map((r) => r.commitLatency.p50Ms)), p95Ms: median(of.map((r) => r.commitLatency.p95Ms)), maxMs: median(of.map((r) => r.commitLatency.maxMs)), totalMs: median(of.map((r) => r.totalMs)) }];
  }));
  console.log(report(results));
  console.log(`\narrival = the upload call returned; commit = load_metadata.completed_at (loader clock, same machine); uploads in "latency" start every ${options.intervalMs} ms; "burst" keeps ${options.concurrency} uploads in flight.`);
  console.log(`goals (issue 9): latency p50 / p95 no worse than 185 / 258 ms; burst of 1,000 files ≤ 30000 ms. medians over ${options.runs} run(s): ${JSON.stringify(medians)}`);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtStart: loadAtStart, loadavgAtEnd: loadavg() };
  await mkdir(OUT, { recursive: true });
  // A --quick run does not overwrite the figures of a full one.
  const out = join(OUT, options.quick ? 'pipeline-quick.json' : 'pipeline.json');
  await writeFile(out, `${JSON.stringify({ at: new Date().toISOString(), machine, options, medians, results }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

await main();
