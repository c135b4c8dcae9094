// Test helper: starts the gcloud Pub/Sub and Firestore emulators and fake-gcs-server on free ports, each in its
// own process group, and stops the groups. (The full stack with functions is emulators/stack.ts; these tests
// drive the use cases in-process against the same real emulators.)
import { Firestore } from '@google-cloud/firestore';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before } from 'node:test';

export interface Emulator {
  name: string;
  host: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string, child: ChildProcess, name: string, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms:\n${log()}`);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startGroup(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, readyUrl: string): Promise<Emulator> {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.pid === undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    // The gcloud wrapper exits before its Java child: wait for the whole group, then force it.
    const deadline = Date.now() + 10_000;
    while (groupAlive(child.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
  };
  try {
    await waitHttp(readyUrl, child, name, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, host: new URL(readyUrl).host, stop };
}

const baseEnv = { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };

export async function startPubSub(project: string): Promise<Emulator> {
  const port = await freePort();
  const args = ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, `--project=${project}`];
  return startGroup('pubsub', 'gcloud', args, baseEnv, `http://127.0.0.1:${port}/`);
}

export async function startFirestore(): Promise<Emulator> {
  const port = await freePort();
  const args = ['emulators', 'firestore', 'start', `--host-port=127.0.0.1:${port}`];
  return startGroup('firestore', 'gcloud', args, baseEnv, `http://127.0.0.1:${port}/`);
}

/**
 * A Firestore emulator for the tests of one file: started before them (FIRESTORE_EMULATOR_HOST set, so every client
 * and child process made later finds it) and stopped after them, with a client of `projectId` on it.
 */
export function firestoreForTests(projectId: string): { readonly client: Firestore } {
  process.env.METADATA_SERVER_DETECTION = 'none';
  let emulator: Emulator | undefined;
  let client: Firestore | undefined;
  before(async () => {
    emulator = await startFirestore();
    process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
    client = new Firestore({ projectId, ignoreUndefinedProperties: true });
  });
  after(async () => {
    await client?.terminate();
    await emulator?.stop();
  });
  return {
    get client() {
      if (!client) throw new Error('the Firestore emulator is started before the tests, not while the file loads');
      return client;
    },
  };
}

export interface FakeGcsOptions {
  pubsubHost?: string;
  project?: string;
  topic?: string;
  bucket?: string;
  prefix?: string;
}

export async function startFakeGcs(options: FakeGcsOptions = {}): Promise<Emulator> {
  const port = await freePort();
  const binary = join(import.meta.dirname, '../../../.cache/bin/fake-gcs-server');
  const args = ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-log-level', 'warn'];
  if (options.topic) {
    args.push('-event.pubsub-project-id', options.project!, '-event.pubsub-topic', options.topic, '-event.list', 'finalize');
    if (options.bucket) args.push('-event.bucket', options.bucket);
    if (options.prefix) args.push('-event.object-prefix', options.prefix);
  }
  const env = options.pubsubHost ? { ...baseEnv, PUBSUB_EMULATOR_HOST: options.pubsubHost } : baseEnv;
  return startGroup('fake-gcs-server', binary, args, env, `http://127.0.0.1:${port}/storage/v1/b`);
}
