// One local stack per e2e test file: start it, upload objects, collect load events, query the warehouse, run the CLI.
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WATCH_SUBSCRIPTIONS, pubsubClient, startStack, storageClient, type BigQueryMode, type Stack, type StackPart } from '../../emulators/stack.js';
import type { BucketRole, FunctionName, Topology } from '../../lib/config/index.js';
import { validateLoadEvents } from '../../lib/pipeline/index.js';
import type { LoadEvent } from '../../lib/pipeline/index.js';
import { bigqueryQuery } from './bigquery-warehouse.js';

process.env.METADATA_SERVER_DETECTION = 'none';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2E {
  stack: Stack;
  storage: Storage;
  dir: string;
  dbPath: string;
  /** Every load event seen on the watch subscription, in arrival order. */
  events: LoadEvent[];
  upload(name: string, body: string | Buffer): Promise<void>;
  /** Publishes one message to a topic of the stack (e.g. a second copy of a notification). */
  publish(topic: string, message: { data: Buffer; attributes?: Record<string, string> }): Promise<string>;
  eventFor(table: string, batchKey: string, n?: number, timeoutMs?: number): Promise<LoadEvent>;
  /** The first load event that `matches`, waiting for it. */
  eventWhere(matches: (event: LoadEvent) => boolean, what: string, timeoutMs?: number): Promise<LoadEvent>;
  eventsFor(table: string, batchKey: string): LoadEvent[];
  /** SQL on the warehouse the loader writes: the DuckDB file, or (BigQuery mode) the emulator behind the gate. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  names(role: BucketRole, prefix?: string): Promise<string[]>;
  /** Runs the real `landfall` CLI (lib/cli/bin.js) with the stack's env. */
  cli(args: string[]): Promise<CliResult>;
  /** Resolves when a line of the part's log contains every one of `needles` (lines written after `fromByte`). */
  logLine(part: StackPart, needles: string[], timeoutMs?: number, fromByte?: number): Promise<string>;
  logSize(part: StackPart): Promise<number>;
  /** Closes and reopens the load-events watch (after the Pub/Sub emulator restarted). */
  reopenWatch(): Promise<void>;
  stop(): Promise<void>;
}

export interface E2EOptions {
  functionEnv?: Record<string, string>;
  /** The loader's claim lease (default 20 s); `topology` keeps the topology's own (claims.leaseSeconds). */
  leaseMs?: number | 'topology';
  /** Default: the matcher and the loader. */
  functions?: FunctionName[];
  /** A changed copy of the topology (a faster sweep clock, say). */
  topology?: Topology;
  /** The loader on the BigQuery emulator behind the quota gate (BigQuery's limits, unless scaled), not DuckDB. */
  bigquery?: BigQueryMode;
}

const REPO = join(import.meta.dirname, '..', '..');

export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  const dir = await mkdtemp(join(tmpdir(), 'landfall-e2e-'));
  const dbPath = join(dir, 'e2e.duckdb');
  // Downloads go under the test's folder, so a loader killed mid-load leaves nothing behind in the OS temp dir.
  await mkdir(join(dir, 'tmp'));
  const stack = await startStack({
    freePorts: true,
    functions: options.functions ?? ['matcher', 'loader'],
    ...(options.topology ? { topology: options.topology } : {}),
    ...(options.bigquery ? { bigquery: options.bigquery } : {}),
    functionEnv: {
      DUCKDB_PATH: dbPath,
      TABLE_CONFIG_PATH: 'config/tables',
      ...(options.leaseMs === 'topology' ? {} : { LANDFALL_LEASE_MS: String(options.leaseMs ?? 20_000) }),
      LANDFALL_TEMP_DIR: join(dir, 'tmp'),
      ...options.functionEnv,
    },
    workDir: join(dir, 'stack'),
    log: () => {},
  });
  const storage = storageClient(stack.project, stack.ports.storage);
  const events: LoadEvent[] = [];
  let pubsub: PubSub;
  let watch: Subscription;
  const openWatch = () => {
    pubsub = pubsubClient(stack.project, stack.ports.pubsub);
    watch = pubsub.subscription(WATCH_SUBSCRIPTIONS.loadEvents);
    watch.on('message', (m: Message) => {
      events.push(...validateLoadEvents(JSON.parse(m.data.toString())));
      m.ack();
    });
    // The emulator going away is expected in the restart tests: the stream error is not the test's failure.
    watch.on('error', () => {});
  };
  openWatch();
  const closeWatch = async () => {
    await watch.close().catch(() => undefined);
    await pubsub.close().catch(() => undefined);
  };
  const eventsFor = (table: string, batchKey: string) => events.filter((e) => e.table === table && e.batchKey === batchKey);
  const waitFor = async (found: () => LoadEvent | undefined, what: string, timeoutMs: number): Promise<LoadEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = found();
      if (event) return event;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms (logs: ${stack.logPath('matcher')}, ${stack.logPath('loader')})`);
      await sleep(50);
    }
  };
  const e2e: E2E = {
    stack,
    storage,
    dir,
    dbPath,
    events,
    eventsFor,
    async upload(name, body) {
      const { landing } = stack.topology.buckets;
      await storage.bucket(landing.name).file(`${landing.prefix}${name}`).save(body, { resumable: false });
    },
    eventFor(table, batchKey, n = 1, timeoutMs = 30_000) {
      return waitFor(() => eventsFor(table, batchKey)[n - 1], `load event #${n} for ${table}/${batchKey}`, timeoutMs);
    },
    eventWhere(matches, what, timeoutMs = 30_000) {
      return waitFor(() => events.find(matches), `load event ${what}`, timeoutMs);
    },
    publish: (topic, message) => pubsub.topic(topic).publishMessage(message),
    query: stack.backend === 'bigquery' ? bigqueryQuery(stack) : (sql) => queryDuckDb(dbPath, sql),
    async names(role, prefix = '') {
      const [files] = await storage.bucket(stack.topology.buckets[role].name).getFiles({ prefix });
      return files.map((f) => f.name).sort();
    },
    cli: (args) => runCli(args, { ...process.env, ...stack.env }),
    logLine: (part, needles, timeoutMs = 30_000, fromByte = 0) => waitForLogLine(stack.logPath(part), needles, timeoutMs, fromByte),
    logSize: async (part) => (await readFile(stack.logPath(part))).length,
    async reopenWatch() {
      await closeWatch();
      openWatch();
    },
    async stop() {
      await closeWatch();
      await stack.stop();
      // LANDFALL_E2E_KEEP=1 keeps the logs and the DuckDB file for a look after a failure.
      if (process.env.LANDFALL_E2E_KEEP) process.stderr.write(`e2e: kept ${dir}\n`);
      else await rm(dir, { recursive: true, force: true });
    },
  };
  return e2e;
}

/** Opens the DuckDB file, runs `use` on a connection, and closes both. */
async function withDuckDb<T>(path: string, config: Record<string, string>, use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path, config);
  try {
    const connection = await instance.connect();
    try {
      return await use(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Reads the DuckDB file read-only; the loader closes it when idle, so a held lock is waited out. */
export async function queryDuckDb(path: string, sql: string): Promise<Record<string, unknown>[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await withDuckDb(path, { access_mode: 'READ_ONLY' }, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
    } catch (error) {
      if (attempt > 100 || !/lock/i.test(String(error))) throw error;
      await sleep(100);
    }
  }
}

/** Runs `sql` on the DuckDB file, read-write, once nothing else holds it (a CLI run has ended): its rows as JS values. */
export function runDuckDb(path: string, sql: string): Promise<Record<string, unknown>[]> {
  return withDuckDb(path, {}, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJS());
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'lib/cli/bin.js'), ...args], { cwd: REPO, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function waitForLogLine(path: string, needles: string[], timeoutMs: number, fromByte: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await readFile(path)).subarray(fromByte).toString('utf8');
    const line = text.split('\n').find((l) => needles.every((n) => l.includes(n)));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no line with ${JSON.stringify(needles)} in ${path} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** A CSV with a header and `rows` numbered rows of two columns. */
export function csv(header: string, rows: number): string {
  return `${header}\n${Array.from({ length: rows }, (_, i) => `${i},v${i}`).join('\n')}\n`;
}
