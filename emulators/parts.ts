// How each part of the local stack is started: command, arguments and environment.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_NAMES, type FunctionName, type Topology } from '../lib/config/topology.js';
import type { QuotaLimits } from './quota-gate/limits.js';
import { HOST, type StackPart, type StackPorts } from './ports.js';
import type { SpawnSpec } from './processes.js';
import type { RelayProcessConfig } from './relay.js';
import { StackError } from './health.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_BIN = join(REPO_ROOT, '.cache', 'bin');
const FUNCTIONS_FRAMEWORK_MAIN = join(REPO_ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
/** The Node.js of each deploy runtime emulators/install.sh installs (its `node24` step). */
const RUNTIME_NODES: Record<string, string> = { nodejs24: join(REPO_ROOT, '.cache', 'node24', 'bin', 'node') };

/**
 * The Node.js that runs the functions of `runtime` (config/topology.yaml), as Cloud Functions runs them: the machine's
 * own when it is that version, else the one install.sh put in .cache/. The relay runs on it too; tests and tools
 * keep the machine's.
 */
export function runtimeNode(runtime: string): string {
  if (runtime === `nodejs${process.versions.node.split('.')[0]}`) return process.execPath;
  const node = RUNTIME_NODES[runtime];
  if (node === undefined) throw new StackError('matcher', `runtime ${runtime}: emulators/install.sh installs Node.js for ${Object.keys(RUNTIME_NODES).join(', ')} only`);
  return node;
}

/** The BigQuery mode: the emulator, and the quota gate in front of it with BigQuery's limits unless told otherwise. */
export interface BigQueryMode {
  /** Divides every count limit of the gate (QUOTA_GATE_SCALE in the environment also does); default 1, BigQuery's own. */
  quotaScale?: number;
  /** Limits set outright, after scaling. */
  quotaLimits?: Partial<QuotaLimits>;
  /** The block size the gate models clustered tables' pruning with (default 64 MiB): a bench shrinks it with its history. */
  clusterBlockBytes?: number;
}

export interface PartContext {
  topology: Topology;
  ports: StackPorts;
  workDir: string;
  /** Environment every client of the stack needs (emulator hosts, project). */
  clientEnv: Record<string, string>;
  /** Extra environment for the function processes only. */
  functionEnv: Record<string, string>;
  functionsSource: string;
  /** The function processes the stack runs (the relay pushes to these). */
  functions: FunctionName[];
  /** Extra JVM flags for the gcloud emulators (JAVA_TOOL_OPTIONS); '' for none. */
  jvmOptions: string;
  /** Set: the loader writes to the BigQuery emulator through the quota gate, which the stack runs too. */
  bigquery?: BigQueryMode;
}

/** The parent's environment minus what would confuse a child (a test runner's markers). */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function gcloudEmulator(args: string[], ctx: PartContext): Omit<SpawnSpec, 'logPath'> {
  const env = baseEnv();
  // Read by the JVM itself, so it reaches the Java child that the gcloud wrapper starts.
  if (ctx.jvmOptions) env.JAVA_TOOL_OPTIONS = [env.JAVA_TOOL_OPTIONS, ctx.jvmOptions].filter(Boolean).join(' ');
  return { command: 'gcloud', args: [...args, `--project=${ctx.topology.project}`, '--quiet'], env };
}

function storageSpec(ctx: PartContext): Omit<SpawnSpec, 'logPath'> {
  const { topology, ports, workDir } = ctx;
  const url = `http://${HOST}:${ports.storage}`;
  const landing = topology.buckets.landing;
  return {
    command: join(CACHE_BIN, 'fake-gcs-server'),
    args: [
      ...['-scheme', 'http', '-host', HOST, '-port', String(ports.storage), '-external-url', url],
      ...['-public-host', `${HOST}:${ports.storage}`, '-location', topology.region.toUpperCase()],
      // On disk, so a restarted storage emulator still has its objects.
      ...['-backend', 'filesystem', '-filesystem-root', join(workDir, 'storage')],
      ...['-event.pubsub-project-id', topology.project, '-event.pubsub-topic', topology.topics.arrivals],
      ...['-event.bucket', landing.name, '-event.list', 'finalize'],
      ...(landing.prefix ? ['-event.object-prefix', landing.prefix] : []),
    ],
    env: { ...baseEnv(), PUBSUB_EMULATOR_HOST: `${HOST}:${ports.pubsub}` },
  };
}

function functionSpec(fn: FunctionName, ctx: PartContext): Omit<SpawnSpec, 'logPath'> {
  return {
    command: runtimeNode(ctx.topology.runtime),
    args: [
      ...['--import', 'tsx', FUNCTIONS_FRAMEWORK_MAIN],
      `--target=${ctx.topology.functions[fn].entryPoint}`,
      `--source=${ctx.functionsSource}`,
      `--port=${ctx.ports[fn]}`,
    ],
    // As on Cloud Functions: the process loads only the function it runs (functions/index.ts reads it).
    env: { ...baseEnv(), ...ctx.clientEnv, ...ctx.functionEnv, FUNCTION_TARGET: ctx.topology.functions[fn].entryPoint },
  };
}

/** goccy/bigquery-emulator with the topology's dataset, reading gs:// from the stack's fake-gcs-server. */
function bigquerySpec(ctx: PartContext): Omit<SpawnSpec, 'logPath'> {
  const { topology, ports, workDir } = ctx;
  return {
    command: join(CACHE_BIN, 'bigquery-emulator'),
    args: [
      ...[`--project=${topology.project}`, `--dataset=${topology.warehouse.dataset}`, `--host=${HOST}`, `--port=${ports.bigquery}`],
      // Nothing uses the Storage Read API's gRPC port: any free one. On disk, so a restart keeps the tables.
      ...['--grpc-port=0', `--database=${join(workDir, 'bigquery.db')}`, '--log-level=warn'],
    ],
    // The emulator's Go storage client reads gs:// there.
    env: { ...baseEnv(), STORAGE_EMULATOR_HOST: `http://${HOST}:${ports.storage}` },
  };
}

/** The quota gate (emulators/quota-gate/main.ts) between the functions and the emulator. */
function quotaGateSpec(ctx: PartContext): Omit<SpawnSpec, 'logPath'> {
  const { quotaScale, quotaLimits, clusterBlockBytes } = ctx.bigquery ?? {};
  const options = { project: ctx.topology.project, ...(quotaLimits ? { limits: quotaLimits } : {}), ...(clusterBlockBytes ? { clusterBlockBytes } : {}) };
  return {
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'emulators/quota-gate/main.ts')],
    env: {
      ...baseEnv(),
      LANDFALL_QUOTA_GATE: JSON.stringify(options),
      QUOTA_GATE_UPSTREAM: `http://${HOST}:${ctx.ports.bigquery}`,
      QUOTA_GATE_PORT: String(ctx.ports.quotaGate),
      ...(quotaScale !== undefined ? { QUOTA_GATE_SCALE: String(quotaScale) } : {}),
    },
  };
}

/** The push relay and sweep clock (relay-main.ts): pushes to the function processes `ctx.functions` names. */
function relaySpec(ctx: PartContext): Omit<SpawnSpec, 'logPath'> {
  const functions = Object.fromEntries(ctx.functions.map((fn) => [fn, ctx.ports[fn]]));
  const config: RelayProcessConfig = { functions, healthPort: ctx.ports.relay };
  return {
    // The same Node as the functions it pushes to: its fetch costs a third less CPU per push there than on Node 20.
    command: runtimeNode(ctx.topology.runtime),
    args: ['--import', 'tsx', join(REPO_ROOT, 'emulators/relay-main.ts')],
    env: { ...baseEnv(), ...ctx.clientEnv, LANDFALL_RELAY: JSON.stringify(config) },
  };
}

export function partSpec(part: StackPart, ctx: PartContext): SpawnSpec {
  const logPath = join(ctx.workDir, 'logs', `${part}.log`);
  const hostPort = (port: number): string => `--host-port=${HOST}:${port}`;
  switch (part) {
    case 'pubsub':
      return {
        ...gcloudEmulator(['beta', 'emulators', 'pubsub', 'start', hostPort(ctx.ports.pubsub), `--data-dir=${join(ctx.workDir, 'pubsub')}`], ctx),
        logPath,
      };
    case 'firestore':
      return { ...gcloudEmulator(['emulators', 'firestore', 'start', hostPort(ctx.ports.firestore)], ctx), logPath };
    case 'storage':
      return { ...storageSpec(ctx), logPath };
    case 'relay':
      return { ...relaySpec(ctx), logPath };
    case 'bigquery':
      return { ...bigquerySpec(ctx), logPath };
    case 'quotaGate':
      return { ...quotaGateSpec(ctx), logPath };
    default:
      return { ...functionSpec(part, ctx), logPath };
  }
}

/** The module and the files it imports relatively (one level), as text, to look for function registrations. */
async function sourceTexts(source: string): Promise<string[]> {
  const main = await readFile(source, 'utf8');
  const imports = [...main.matchAll(/(?:from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] ?? '');
  const texts = [main];
  for (const spec of imports) {
    const path = resolve(dirname(source), spec.replace(/\.js$/, '.ts'));
    if (existsSync(path)) texts.push(await readFile(path, 'utf8'));
  }
  return texts;
}

/**
 * The functions a source provides, found without running it (importing would start its clients): a
 * `cloudEvent('entryPoint', …)` registration or an export named like the entry point.
 */
export async function detectFunctions(source: string, topology: Topology): Promise<FunctionName[]> {
  if (!existsSync(source)) return [];
  const text = (await sourceTexts(source)).join('\n');
  return FUNCTION_NAMES.filter((fn) => {
    const entry = topology.functions[fn].entryPoint.replace(/[^\w$]/g, '');
    return (
      new RegExp(`cloudEvent\\s*(<[^>]*>)?\\(\\s*['"\`]${entry}['"\`]`).test(text) ||
      new RegExp(`export\\s+(async\\s+)?(const|function|let)\\s+${entry}\\b`).test(text) ||
      new RegExp(`export\\s*\\{[^}]*\\b${entry}\\b[^}]*\\}`).test(text)
    );
  });
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Says what to run before any process starts, rather than a spawn error from the middle of start-up. */
export function preflight(ctx: Pick<PartContext, 'topology' | 'functions' | 'bigquery'>): void {
  const install = 'run `bash emulators/install.sh` (it installs what is missing and says what it cannot)';
  const { topology, functions } = ctx;
  if (ctx.bigquery && !existsSync(join(CACHE_BIN, 'bigquery-emulator'))) throw new StackError('bigquery', 'is not installed: run `bash emulators/install.sh bigquery`');
  if (functions.length > 0 && !existsSync(runtimeNode(topology.runtime))) throw new StackError('matcher', `needs Node.js for the ${topology.runtime} runtime, which is not installed: ${install}`);
  if (!existsSync(join(CACHE_BIN, 'fake-gcs-server'))) throw new StackError('storage', `is not installed: ${install}`);
  if (!onPath('gcloud')) throw new StackError('pubsub', `needs gcloud, which is not on PATH: ${install}`);
  if (!existsSync(FUNCTIONS_FRAMEWORK_MAIN)) throw new StackError('matcher', `needs node_modules: ${install}`);
}
