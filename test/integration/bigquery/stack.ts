// Starts fake-gcs-server and goccy/bigquery-emulator (reading from it) on free ports, each in its own process group.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PROJECT = 'landfall-test';
const BIN = join(process.cwd(), '.cache', 'bin');

export interface BigQueryStack {
  bigqueryEndpoint: string;
  storageEndpoint: string;
  stop(): Promise<void>;
}

/** `count` distinct free ports: every listener stays open until all are taken, so the OS cannot hand one out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function start(binary: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const path = join(BIN, binary);
  if (!existsSync(path)) throw new Error(`${path} is missing: run bash emulators/install.sh`);
  // Detached: the child leads its own process group, which stop() signals as a whole.
  return spawn(path, args, { env, detached: true, stdio: 'ignore' });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
}

/** With `storageEndpoint`, the emulator reads gs:// from that fake-gcs-server (a whole local stack's) instead of its own. */
export async function startBigQueryStack(options: { storageEndpoint?: string; project?: string } = {}): Promise<BigQueryStack> {
  const project = options.project ?? PROJECT;
  const [bqPort, grpcPort, ownGcsPort] = (await freePorts(3)) as [number, number, number];
  const gcsPort = options.storageEndpoint ? undefined : ownGcsPort;
  const storageEndpoint = options.storageEndpoint ?? `http://127.0.0.1:${gcsPort}`;
  const gcs =
    gcsPort === undefined
      ? undefined
      : start('fake-gcs-server', ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(gcsPort), '-backend', 'memory', '-public-host', `127.0.0.1:${gcsPort}`, '-log-level', 'error'], process.env);
  const bq = start(
    'bigquery-emulator',
    [`--project=${project}`, '--host=127.0.0.1', `--port=${bqPort}`, `--grpc-port=${grpcPort}`, '--log-level=error'],
    // The emulator reads gs:// sources through the Go storage client, which honours STORAGE_EMULATOR_HOST.
    { ...process.env, STORAGE_EMULATOR_HOST: storageEndpoint },
  );
  const bigqueryEndpoint = `http://127.0.0.1:${bqPort}`;
  const stop = async () => {
    await Promise.all([stopGroup(bq), gcs && stopGroup(gcs)]);
  };
  try {
    await waitFor(`${storageEndpoint}/storage/v1/b`, 15000);
    await waitFor(`${bigqueryEndpoint}/bigquery/v2/projects/${project}/datasets`, 30000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { bigqueryEndpoint, storageEndpoint, stop };
}
