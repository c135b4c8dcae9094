// The BigQuery-on-emulator harness for the warehouse contract: a fresh dataset per test, sources uploaded to fake-gcs-server.
import type { BigQuery } from '@google-cloud/bigquery';
import { createHash, randomUUID } from 'node:crypto';
import type { Storage } from '@google-cloud/storage';
import { EMULATOR_CSV, bigqueryClient, ident, openBigQueryWarehouse, storageClient } from '../../../lib/adapters/bigquery/index.js';
import type { BigQueryWarehouse } from '../../../lib/adapters/bigquery/index.js';
import { openObjectSource } from '../../../lib/adapters/gcs/index.js';
import type { FileSource } from '../../../lib/load/index.js';
import type { MetadataRecord, WarehouseHarness } from '../../contract/warehouse-contract.js';
import { after, before } from 'node:test';
import { startQuotaGate } from '../../../emulators/quota-gate/index.js';
import type { QuotaGate } from '../../../emulators/quota-gate/index.js';
import { PROJECT, startBigQueryStack } from './stack.js';
import type { BigQueryStack } from './stack.js';

export const BUCKET = 'landfall-landing';

export interface Clients {
  bq: BigQuery;
  storage: Storage;
}

export function clientsFor(stack: BigQueryStack): Clients {
  const options = { projectId: PROJECT, bigqueryEndpoint: stack.bigqueryEndpoint, storageEndpoint: stack.storageEndpoint };
  return { bq: bigqueryClient(options), storage: storageClient(options) };
}

export async function ensureBucket(storage: Storage): Promise<void> {
  const [exists] = await storage.bucket(BUCKET).exists();
  if (!exists) await storage.createBucket(BUCKET);
}

/**
 * Uploads `content` as `path` (folders allowed) unless the object already holds exactly it: the same content keeps
 * its generation (its identity). The source's path is `path`, as the loader gives an object under the landing prefix.
 */
export async function uploadSource(storage: Storage, prefix: string, path: string, content: string | Buffer): Promise<FileSource> {
  const file = storage.bucket(BUCKET).file(`${prefix}/${path}`);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const md5 = createHash('md5').update(bytes).digest('base64');
  const [exists] = await file.exists();
  if (!exists || (await file.getMetadata())[0].md5Hash !== md5) await file.save(bytes, { resumable: false });
  const [metadata] = await file.getMetadata();
  const uri = `gs://${BUCKET}/${prefix}/${path}`;
  return openObjectSource(file, Number(metadata.size), { name, path, uri, generation: String(metadata.generation) });
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' && 'value' in (value as object) ? String((value as { value: unknown }).value) : String(value);
}

async function fields(bq: BigQuery, dataset: string, table: string): Promise<{ name: string; type: string }[] | undefined> {
  const [exists] = await bq.dataset(dataset).table(table).exists();
  if (!exists) return undefined;
  const [metadata] = await bq.dataset(dataset).table(table).getMetadata();
  return metadata.schema?.fields ?? [];
}

async function columns(bq: BigQuery, dataset: string, table: string): Promise<string[] | undefined> {
  return (await fields(bq, dataset, table))?.map((f) => f.name);
}

/**
 * Each column as text, the same for every row: JSON as JSON text, a TIMESTAMP in UTC to the microsecond (the REST
 * rows print one before 1970 a second late: docs/bigquery-emulator-gaps.md), BYTES as base64, the rest cast.
 */
function asText(name: string, type: string): string {
  const column = ident(name);
  if (type === 'JSON') return `IF(${column} IS NULL, NULL, TO_JSON_STRING(${column})) AS ${column}`;
  if (type === 'TIMESTAMP') return `CONCAT(FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6S', ${column}, 'UTC'), 'Z') AS ${column}`;
  if (type === 'BYTES') return `TO_BASE64(${column}) AS ${column}`;
  return type === 'STRING' ? column : `CAST(${column} AS STRING) AS ${column}`;
}

async function rows(bq: BigQuery, dataset: string, table: string): Promise<Record<string, string | null>[] | undefined> {
  const found = await fields(bq, dataset, table);
  if (!found) return undefined;
  const select = found.map((f) => asText(f.name, f.type));
  const order = found.filter((f) => f.type !== 'JSON').map((f) => ident(f.name));
  const [result] = await bq.query(`SELECT ${select.join(', ')} FROM ${ident(PROJECT)}.${ident(dataset)}.${ident(table)} ORDER BY ${order.join(', ')}`);
  return (result as Record<string, unknown>[]).map((r) => Object.fromEntries(found.map((f) => [f.name, text(r[f.name])])));
}

async function metadata(bq: BigQuery, dataset: string): Promise<MetadataRecord[]> {
  const [result] = await bq.query(`SELECT * FROM ${ident(PROJECT)}.${ident(dataset)}.load_metadata ORDER BY started_at, completed_at`);
  return (result as Record<string, unknown>[]).map((r) => ({
    load_id: String(r.load_id),
    filename: String(r.filename),
    table_name: String(r.table_name),
    row_count: Number(r.row_count),
    started_at: new Date(text(r.started_at)!),
    completed_at: new Date(text(r.completed_at)!),
    source_uri: String(r.source_uri),
    source_generation: String(r.source_generation),
    expected_rows: r.expected_rows === null ? null : Number(r.expected_rows),
    bytes: Number(r.bytes),
    status: String(r.status),
    error: r.error === null ? null : String(r.error),
    path: String(r.path),
  }));
}

export async function newBigQueryHarness(clients: Clients): Promise<WarehouseHarness & { warehouse: BigQueryWarehouse; dataset: string }> {
  const { bq, storage } = clients;
  const dataset = `contract_${randomUUID().replace(/-/g, '')}`;
  await bq.createDataset(dataset);
  await ensureBucket(storage);
  const warehouse = await openBigQueryWarehouse({ bq, storage, project: PROJECT, dataset, reader: EMULATOR_CSV });
  return {
    warehouse,
    dataset,
    source: (name, content) => uploadSource(storage, dataset, name, content),
    rows: (table) => rows(bq, dataset, table),
    columns: (table) => columns(bq, dataset, table),
    metadata: () => metadata(bq, dataset),
    createTable: async (table, ddl) => {
      await bq.query(`CREATE TABLE ${ident(PROJECT)}.${ident(dataset)}.${ident(table)} (${ddl}, _extra JSON, _load_id STRING)`);
    },
    close: async () => {
      await warehouse.close();
      await bq.dataset(dataset).delete({ force: true }).catch(() => undefined);
    },
  };
}

/**
 * Starts the emulators before this file's tests and stops them after; the clients are there once `before` ran. BigQuery
 * is reached through the quota gate (BigQuery's own limits), which also fills what a batch needs and the emulator
 * lacks: multi-object loads that are all-or-nothing, and hive keys (docs/bigquery-emulator-gaps.md).
 */
export function useBigQueryStack(): { clients: () => Clients; gateUrl: () => string } {
  process.env.METADATA_SERVER_DETECTION = 'none';
  let stack: BigQueryStack | undefined;
  let gate: QuotaGate | undefined;
  let clients: Clients | undefined;
  before(async () => {
    stack = await startBigQueryStack();
    gate = await startQuotaGate({ upstream: stack.bigqueryEndpoint, project: PROJECT });
    clients = { ...clientsFor(stack), bq: bigqueryClient({ projectId: PROJECT, bigqueryEndpoint: gate.url }) };
  });
  after(async () => {
    await gate?.stop();
    await stack?.stop();
  });
  return { clients: () => clients!, gateUrl: () => gate!.url };
}
