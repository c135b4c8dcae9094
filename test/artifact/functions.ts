// Runs one function of a built artifact under functions-framework, as the runtime does, and times its first answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pushEndpoint } from '../../emulators/bootstrap.js';
import { freePort } from '../../emulators/ports.js';
import { push, type PushEnvelope, type PushOutcome } from '../../emulators/push-envelope.js';
import { storageClient, type Stack } from '../../emulators/stack.js';
import type { FunctionName } from '../../lib/config/index.js';
import { NODE24 } from './build.js';

export interface RunningFunction {
  process: ChildProcess;
  url: string;
  /** Everything it wrote (JSON log lines), for assertions and for the message of a failure. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `functions-framework --target=<target>` from `dir` with `node`: the framework loads package.json `main`
 * (dist/bundle/index.js), which loads only that target's module (FUNCTION_TARGET, as the runtime sets it).
 */
export function startFunction(dir: string, node: string, target: string, port: number, env: Record<string, string>): RunningFunction {
  const main = join(dir, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
  const child = spawn(node, [main, `--target=${target}`, `--port=${port}`, '--signature-type=cloudevent'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, FUNCTION_TARGET: target },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface StartedFunction {
  running: RunningFunction;
  /** The path on the function's URL that its subscription pushes to. */
  path: string;
  /** performance.now() just before its process was spawned. */
  startedAt: number;
}

/**
 * Starts `fn` of the artifact in `dir` on the nodejs24 runtime's Node, as a client of `stack`, on a free port, with its
 * DuckDB file and downloads at `files`; `env` comes last.
 */
export async function startOnStack(stack: Stack, dir: string, fn: FunctionName, files: { duckdb: string; tmp: string }, env: Record<string, string> = {}): Promise<StartedFunction> {
  const port = await freePort();
  const startedAt = performance.now();
  const running = startFunction(dir, NODE24, stack.topology.functions[fn].entryPoint, port, {
    ...stack.env,
    DUCKDB_PATH: files.duckdb,
    LANDFALL_TEMP_DIR: files.tmp,
    ...env,
  });
  return { running, path: new URL(pushEndpoint(stack.topology, fn, port)).pathname, startedAt };
}

/** Uploads `text` as `name` under the landing prefix of `stack`, and returns its notification as GCS sends it. */
export async function landedObject(stack: Stack, name: string, text: string): Promise<{ data: Buffer; attributes: Record<string, string> }> {
  const { landing } = stack.topology.buckets;
  const file = storageClient(stack.project, stack.ports.storage).bucket(landing.name).file(`${landing.prefix}${name}`);
  await file.save(text, { resumable: false });
  const [meta] = await file.getMetadata();
  const attributes = { eventType: 'OBJECT_FINALIZE', bucketId: landing.name, objectId: file.name, objectGeneration: String(meta.generation), payloadFormat: 'JSON_API_V1' };
  return { data: Buffer.from(JSON.stringify(meta)), attributes };
}

/** The files a function run with NODE_DEBUG_NATIVE=COMPILE_CACHE loaded as modules, each with whether Node's compile cache had it. */
export function modulesLoaded(output: string): { path: string; cached: boolean }[] {
  return [...output.matchAll(/V8 code cache for (?:ESM|CommonJS) (\S+) was (accepted|not initialized)/g)].map(([, path, state]) => ({ path: path!.replace(/^file:\/\//, ''), cached: state === 'accepted' }));
}

/** Of those: modules whose compiled code came from the cache, and modules Node had to compile. */
export function compileCacheUse(output: string): { cached: number; compiled: number } {
  const modules = modulesLoaded(output);
  const cached = modules.filter((m) => m.cached).length;
  return { cached, compiled: modules.length - cached };
}

/** Peak resident memory of a process so far (VmHWM), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Pushes the envelope until the function answers at all (it refuses connections while it starts), then returns that answer. */
export async function firstAnswer(fn: RunningFunction, path: string, envelope: PushEnvelope, timeoutMs = 30_000): Promise<PushOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await push(`${fn.url}${path}`, envelope, timeoutMs);
    if (outcome.acked || outcome.status !== null) return outcome;
    if (fn.process.exitCode !== null) throw new Error(`the function exited (${fn.process.exitCode}) before answering:\n${fn.output()}`);
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms: ${outcome.reason}\n${fn.output()}`);
    await sleep(5);
  }
}
