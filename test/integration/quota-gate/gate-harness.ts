// The quota gate's test bench: the real emulator and fake-gcs-server for the file, a gate per test, clients through it.
import { BigQuery } from '@google-cloud/bigquery';
import type { Storage } from '@google-cloud/storage';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { staticTokenAuth, storageClient } from '../../../lib/adapters/bigquery/index.js';
import { startQuotaGate } from '../../../emulators/quota-gate/index.js';
import type { QuotaGate, QuotaGateOptions } from '../../../emulators/quota-gate/index.js';
import { PROJECT, startBigQueryStack } from '../bigquery/stack.js';
import type { BigQueryStack } from '../bigquery/stack.js';

export { PROJECT };
export const BUCKET = 'quota-gate';

export interface Bench {
  stack: BigQueryStack;
  storage: Storage;
  /** A client straight to the emulator, for setting up and for looking behind the gate. */
  direct: BigQuery;
}

/** Starts the emulators (and a bucket) before this file's tests and stops them after. */
export function useEmulators(): () => Bench {
  process.env.METADATA_SERVER_DETECTION = 'none';
  let bench: Bench | undefined;
  before(async () => {
    const stack = await startBigQueryStack();
    const storage = storageClient({ projectId: PROJECT, storageEndpoint: stack.storageEndpoint });
    await storage.createBucket(BUCKET);
    bench = { stack, storage, direct: client(stack.bigqueryEndpoint) };
  });
  after(async () => {
    await bench?.stack.stop();
  });
  return () => bench!;
}

/**
 * A BigQuery client as landfall makes one (static token, `apiEndpoint`: paths under /bigquery/v2), or, with
 * `unprefixed`, as BIGQUERY_EMULATOR_HOST makes one (paths without the prefix). `autoRetry: false` shows the first
 * answer to a call the client would otherwise retry.
 */
export function client(endpoint: string, options: { unprefixed?: boolean; autoRetry?: boolean; token?: string } = {}): BigQuery {
  const auth = { projectId: PROJECT, authClient: staticTokenAuth(options.token), ...(options.autoRetry === false ? { autoRetry: false } : {}) };
  if (!options.unprefixed) return new BigQuery({ ...auth, apiEndpoint: endpoint });
  process.env.BIGQUERY_EMULATOR_HOST = endpoint;
  try {
    return new BigQuery(auth);
  } finally {
    delete process.env.BIGQUERY_EMULATOR_HOST;
  }
}

/** A gate in front of the bench's emulator; stop it at the end of the test. */
export async function openGate(bench: Bench, options: Omit<QuotaGateOptions, 'upstream'> = {}): Promise<QuotaGate> {
  return startQuotaGate({ upstream: bench.stack.bigqueryEndpoint, project: PROJECT, ...options });
}

/** A fresh dataset for one test. */
export async function newDataset(bench: Bench): Promise<string> {
  const dataset = `gate_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await bench.direct.createDataset(dataset);
  return dataset;
}

export async function upload(bench: Bench, name: string, content: string): Promise<string> {
  await bench.storage.bucket(BUCKET).file(name).save(content, { resumable: false });
  return `gs://${BUCKET}/${name}`;
}

export const CSV_SCHEMA = { fields: [{ name: 'a', type: 'STRING' }, { name: 'n', type: 'INT64' }] };

export function loadConfig(dataset: string, table: string, uris: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    load: {
      sourceUris: uris,
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      schema: CSV_SCHEMA,
      destinationTable: { projectId: PROJECT, datasetId: dataset, tableId: table },
      writeDisposition: 'WRITE_APPEND',
      ...extra,
    },
  };
}

/** Rows of a table, read behind the gate (so reading never counts against the limits under test). */
export async function rows(bench: Bench, dataset: string, table: string, order = 'a'): Promise<Record<string, unknown>[]> {
  const [result] = await bench.direct.query(`SELECT * FROM \`${PROJECT}.${dataset}.${table}\` ORDER BY ${order}`);
  return result as Record<string, unknown>[];
}

/** What a rejected client call carried: the HTTP status (absent for a job that failed), reason, message. */
export async function failure(promise: Promise<unknown>): Promise<{ code?: number; reason?: string; domain?: string; location?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; errors?: { reason?: string; domain?: string; location?: string }[]; message: string };
    const first = e.errors?.[0];
    return { ...(e.code !== undefined ? { code: e.code } : {}), ...(first?.reason ? { reason: first.reason } : {}), ...(first?.domain ? { domain: first.domain } : {}), ...(first?.location ? { location: first.location } : {}), message: e.message };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

/** A latch for holding calls in the gate: `hold()` waits until `open()`; `arrived(n)` resolves once n calls wait. */
export function latch(): { hold(): Promise<void>; open(): void; arrived(n: number): Promise<void> } {
  let waiting = 0;
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const watchers: { n: number; resolve: () => void }[] = [];
  return {
    hold: async () => {
      waiting++;
      for (const w of watchers.filter((w) => waiting >= w.n)) w.resolve();
      await opened;
    },
    open: () => release(),
    arrived: (n) => (waiting >= n ? Promise.resolve() : new Promise((resolve) => watchers.push({ n, resolve }))),
  };
}
