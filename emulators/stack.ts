// The local stack in one call: emulators, function processes and the topology's resources, ready for clients.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { loadTopology, type FunctionName, type Topology } from '../lib/config/topology.js';
import { createBuckets, createTopicsAndSubscriptions } from './bootstrap.js';
import { StackError } from './health.js';
import { reapOrphans } from './orphans.js';
import { detectFunctions, preflight, REPO_ROOT, type BigQueryMode, type PartContext } from './parts.js';
import { assertPortFree, freePorts, HOST, readConfiguredPorts, type StackPart, type StackPorts } from './ports.js';
import { Supervisor } from './supervisor.js';

export { WATCH_SUBSCRIPTIONS, pubsubClient, storageClient } from './bootstrap.js';
export { StackError } from './health.js';
export type { BigQueryMode } from './parts.js';
export { FUNCTION_PARTS, STACK_PARTS, type FunctionPart, type StackPart, type StackPorts } from './ports.js';

export interface StackOptions {
  /** Default: config/topology.yaml's project. */
  project?: string;
  /** Tests: pick free ports. Default: the ports in firebase.json's `emulators` block. */
  freePorts?: boolean;
  /** Which function processes to start. Default: every function `functionsSource` registers or exports. */
  functions?: FunctionName[];
  /** Module the function processes load. Default: functions/index.ts. */
  functionsSource?: string;
  /** Extra environment for the function processes (e.g. DUCKDB_PATH, TABLE_CONFIG_PATH). */
  functionEnv?: Record<string, string>;
  /** Default: config/topology.yaml. Tests may pass a changed copy (e.g. a faster delivery policy). */
  topology?: Topology;
  /** Where storage data, logs and the effective topology go. Default: .landfall/ */
  workDir?: string;
  /** How long one part may take to become healthy. Default: 60 s. */
  startTimeoutMs?: number;
  /**
   * JVM flags for the Pub/Sub and Firestore emulators. Default: C1-only JIT and the serial GC, which start the
   * JVMs about twice as fast on a small machine; pass '' for the JVM's defaults (peak throughput, e.g. benchmarks).
   */
  jvmOptions?: string;
  /** Default: lines to stderr. */
  log?: (line: string) => void;
  /**
   * The loader on BigQuery (LOADER_BACKEND=bigquery): the stack also runs the BigQuery emulator and the quota gate in
   * front of it, and by default no dbtTrigger (dbt cannot read the emulator: DBT_ON_BIGQUERY_EMULATOR says why).
   */
  bigquery?: BigQueryMode;
}

export interface Stack {
  project: string;
  /** Where the loader writes: the DuckDB file, or the BigQuery emulator behind the quota gate. */
  backend: 'duckdb' | 'bigquery';
  ports: StackPorts;
  /** What clients need: emulator hosts, storage endpoint, project, TOPOLOGY_PATH, plus functionEnv. */
  env: Record<string, string>;
  topology: Topology;
  /** The function processes this stack runs. */
  functions: FunctionName[];
  workDir: string;
  /** Milliseconds from startStack() to everything healthy and bootstrapped. */
  startupMs: number;
  logPath(part: StackPart): string;
  /** The part's process group id while it runs (tests check that stop() leaves none behind). */
  pid(part: StackPart): number | undefined;
  stop(): Promise<void>;
  /** Stop and start the part on the same port, then re-create what it held if it lost it (Pub/Sub: everything). */
  restart(part: StackPart): Promise<void>;
  /** Signals the part's process group (default SIGKILL); it stays down until restart(). */
  kill(part: StackPart, signal?: NodeJS.Signals): void;
}

export const DEFAULT_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

const EMULATOR_PARTS = ['pubsub', 'firestore', 'storage'] as const satisfies readonly StackPart[];

const BIGQUERY_PARTS = ['bigquery', 'quotaGate'] as const satisfies readonly StackPart[];

/** The BigQuery mode's settings: the loader reaches the emulator only through the gate, as it would reach BigQuery. */
function bigqueryEnv(topology: Topology, ports: StackPorts): Record<string, string> {
  return {
    LOADER_BACKEND: 'bigquery',
    BQ_DATASET: topology.warehouse.dataset,
    BIGQUERY_EMULATOR_HOST: `http://${HOST}:${ports.quotaGate}`,
    // The Node Storage client takes this as its whole base URL (docs/production.md).
    STORAGE_EMULATOR_HOST: `http://${HOST}:${ports.storage}/storage/v1`,
  };
}

function clientEnv(topology: Topology, ports: StackPorts, topologyPath: string, bigquery: boolean): Record<string, string> {
  return {
    PUBSUB_EMULATOR_HOST: `${HOST}:${ports.pubsub}`,
    FIRESTORE_EMULATOR_HOST: `${HOST}:${ports.firestore}`,
    STORAGE_API_ENDPOINT: `http://${HOST}:${ports.storage}`,
    GCP_PROJECT: topology.project,
    GOOGLE_CLOUD_PROJECT: topology.project,
    TOPOLOGY_PATH: topologyPath,
    METADATA_SERVER_DETECTION: 'none',
    ...(bigquery ? bigqueryEnv(topology, ports) : {}),
  };
}

async function resolveFunctions(options: StackOptions, source: string, topology: Topology): Promise<FunctionName[]> {
  const found = await detectFunctions(source, topology);
  if (!options.functions) return options.bigquery ? found.filter((fn) => fn !== 'dbtTrigger') : found;
  const missing = options.functions.filter((fn) => !found.includes(fn));
  if (missing.length > 0) {
    throw new StackError(missing[0] as FunctionName, `is not registered or exported by ${source} (wanted: ${missing.join(', ')})`);
  }
  return options.functions;
}

async function prepare(options: StackOptions): Promise<{ ctx: PartContext; functions: FunctionName[] }> {
  const base = options.topology ?? (await loadTopology(join(REPO_ROOT, 'config/topology.yaml')));
  const topology: Topology = { ...base, project: options.project ?? base.project };
  const workDir = resolve(options.workDir ?? join(REPO_ROOT, '.landfall'));
  await Promise.all(['logs', 'pubsub', 'storage'].map((sub) => mkdir(join(workDir, sub), { recursive: true })));
  // The functions read the very topology the stack was bootstrapped from, overrides included.
  const topologyPath = join(workDir, 'topology.yaml');
  await writeFile(topologyPath, `# Written by emulators/stack.ts: the topology this stack runs.\n${stringify(topology)}`);
  const ports = options.freePorts ? await freePorts() : await readConfiguredPorts(join(REPO_ROOT, 'firebase.json'));
  const functionsSource = resolve(REPO_ROOT, options.functionsSource ?? 'functions/index.ts');
  const functions = await resolveFunctions(options, functionsSource, topology);
  const env = clientEnv(topology, ports, topologyPath, options.bigquery !== undefined);
  const ctx: PartContext = {
    ...{ topology, ports, workDir, clientEnv: env, functionEnv: options.functionEnv ?? {}, functionsSource, functions },
    jvmOptions: options.jvmOptions ?? DEFAULT_JVM_OPTIONS,
    ...(options.bigquery ? { bigquery: options.bigquery } : {}),
  };
  return { ctx, functions };
}

/** Re-creates what a freshly started part lacks: the Pub/Sub emulator keeps nothing, the others keep data on disk. */
async function bootstrapPart(part: StackPart, ctx: PartContext): Promise<void> {
  try {
    if (part === 'pubsub') {
      await createTopicsAndSubscriptions(ctx.topology, ctx.ports.pubsub, ctx.functions);
    } else if (part === 'storage') {
      await createBuckets(ctx.topology, ctx.ports.storage);
    }
  } catch (error) {
    throw new StackError('bootstrap', `of ${part} failed: ${(error as Error).message}`);
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // This process talks to emulators only: keep Google's auth library from probing the GCE metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const { ctx, functions } = await prepare(options);
  preflight(ctx);
  // The relay pushes to the function subscriptions: it starts once they exist, after everything else.
  const parts: StackPart[] = [...EMULATOR_PARTS, ...(ctx.bigquery ? BIGQUERY_PARTS : []), ...functions];
  const relay: StackPart[] = functions.length > 0 ? ['relay'] : [];
  const reaped = await reapOrphans(ctx.workDir);
  if (reaped > 0) log(`stack: ended ${reaped} process group(s) left running in ${ctx.workDir} by a stack whose owner died`);
  await Promise.all([...parts, ...relay].map((part) => assertPortFree(ctx.ports[part], part)));
  const supervisor = new Supervisor({ ctx, startTimeoutMs: options.startTimeoutMs ?? 60_000, log });
  // Everything starts at once; fake-gcs-server publishes only when an object is written, and no object is
  // written before the arrivals topic exists, because startStack returns only after the bootstrap.
  const startPart = async (part: StackPart) => {
    await supervisor.start(part);
    await bootstrapPart(part, ctx);
    log(`stack: ${part} ready on :${ctx.ports[part]} after ${Math.round(performance.now() - started)} ms`);
  };
  try {
    await Promise.all(parts.map(startPart));
    for (const part of relay) await startPart(part);
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
  const startupMs = Math.round(performance.now() - started);
  log(`stack: up in ${startupMs} ms`);
  const stack: Stack = {
    project: ctx.topology.project,
    backend: ctx.bigquery ? 'bigquery' : 'duckdb',
    ports: ctx.ports,
    env: { ...ctx.clientEnv, ...ctx.functionEnv },
    topology: ctx.topology,
    functions,
    workDir: ctx.workDir,
    startupMs,
    logPath: (part) => supervisor.logPath(part),
    pid: (part) => supervisor.pid(part),
    stop: () => supervisor.stopAll(),
    restart: async (part) => {
      if (![...parts, ...relay].includes(part)) throw new StackError(part, 'is not part of this stack (its function was not started)');
      await supervisor.stop(part);
      await startPart(part);
    },
    kill: (part, signal) => supervisor.kill(part, signal),
  };
  supervisors.set(stack, supervisor);
  return stack;
}

/** For stopOnSignals' second signal, without widening the Stack interface. */
const supervisors = new WeakMap<Stack, Supervisor>();

/**
 * Ctrl-C (SIGINT) or SIGTERM stops the stack, then exits 130/143; a second signal kills it at once.
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(stack: Stack): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    const exitCode = signal === 'SIGINT' ? 130 : 143;
    if (stopping) {
      supervisors.get(stack)?.killAll();
      process.exit(exitCode);
    }
    stopping = true;
    stack.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        process.stderr.write(`stack: stop failed: ${(error as Error).message}\n`);
        process.exit(exitCode);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
