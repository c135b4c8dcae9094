// The loader use case with LOADER_BACKEND=bigquery, wired from env as the function is: the BigQuery warehouse opened
// from settings (emulator hosts), real Pub/Sub and Firestore emulators, fake-gcs-server. One good and one bad file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { PubSub as PubSubClient } from '@google-cloud/pubsub';
import { bigqueryClient, storageClient } from '../../../lib/adapters/bigquery/index.js';
import { handleArrival, handleLoadRequest, jsonLogger, type BusMessage } from '../../../lib/pipeline/index.js';
import { connectClients, loadPipelineConfig, loaderDeps, matcherDeps, type Clients, type PipelineConfig } from '../../../lib/wiring/index.js';
import { startFirestore, startPubSub, type Emulator } from '../pipeline/emulators.js';
import { PROJECT, startBigQueryStack } from './stack.js';
import type { BigQueryStack } from './stack.js';

const DATASET = 'landfall_loader';
let stack: BigQueryStack | undefined;
let emulators: Emulator[] = [];
let config: PipelineConfig;
let clients: Clients | undefined;
let pubsub: PubSub | undefined;
let requests: Subscription;
const pending: BusMessage[] = [];

before(async () => {
  const [bq, ps, fs] = await Promise.all([startBigQueryStack(), startPubSub(PROJECT), startFirestore()]);
  stack = bq;
  emulators = [ps, fs];
  // The Pub/Sub and Firestore clients read their emulator hosts from the process environment.
  Object.assign(process.env, { PUBSUB_EMULATOR_HOST: ps.host, FIRESTORE_EMULATOR_HOST: fs.host, METADATA_SERVER_DETECTION: 'none' });
  const env = {
    ...process.env,
    LOADER_BACKEND: 'bigquery',
    GCP_PROJECT: PROJECT,
    BQ_DATASET: DATASET,
    BIGQUERY_EMULATOR_HOST: bq.bigqueryEndpoint,
    STORAGE_EMULATOR_HOST: bq.storageEndpoint,
    STORAGE_API_ENDPOINT: bq.storageEndpoint,
    LANDFALL_COLLECTION_PREFIX: `bq-${randomUUID().slice(0, 8)}-`,
  };
  config = await loadPipelineConfig(env);
  clients = connectClients(env, config.topology);
  const storage = storageClient({ projectId: PROJECT, storageEndpoint: bq.storageEndpoint });
  const { landing, archive, failed } = config.topology.buckets;
  for (const bucket of [landing, archive, failed]) await storage.createBucket(bucket.name);
  await bigqueryClient({ projectId: PROJECT, bigqueryEndpoint: bq.bigqueryEndpoint }).createDataset(DATASET);
  pubsub = new PubSubClient({ projectId: PROJECT });
  for (const name of Object.values(config.topology.topics)) await pubsub.createTopic(name);
  [requests] = await pubsub.topic(config.topology.topics.loadRequests).createSubscription('load-requests-test');
  requests.on('message', (m: Message) => {
    pending.push({ data: m.data, attributes: m.attributes, messageId: m.id, publishTime: m.publishTime.toISOString() });
    m.ack();
  });
});

after(async () => {
  await requests?.close();
  await pubsub?.close();
  await clients?.close();
  await Promise.all([stack?.stop(), ...emulators.map((e) => e.stop())]);
});

/** Uploads to landing/, hands the notification to the matcher, and returns the load request it published. */
async function arrive(name: string, text: string): Promise<BusMessage> {
  const { landing } = config.topology.buckets;
  const storage = storageClient({ projectId: PROJECT, storageEndpoint: stack!.storageEndpoint });
  const file = storage.bucket(landing.name).file(`${landing.prefix}${name}`);
  await file.save(text, { resumable: false });
  const [meta] = await file.getMetadata();
  const attributes = { eventType: 'OBJECT_FINALIZE', bucketId: landing.name, objectId: file.name, objectGeneration: String(meta.generation), payloadFormat: 'JSON_API_V1' };
  const arrival = { data: Buffer.from(JSON.stringify(meta)), attributes, messageId: randomUUID(), publishTime: new Date().toISOString() };
  await handleArrival(matcherDeps(config, clients!, () => {}), arrival);
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const index = pending.findIndex((m) => JSON.parse(m.data.toString()).data?.name === file.name);
    if (index >= 0) return pending.splice(index, 1)[0]!;
  }
  throw new Error(`no load request for ${name}`);
}

async function objectNames(bucket: string): Promise<string[]> {
  const [files] = await storageClient({ projectId: PROJECT, storageEndpoint: stack!.storageEndpoint }).bucket(bucket).getFiles();
  return files.map((f) => f.name).sort();
}

test('the loader opens the BigQuery warehouse from settings: rows in BigQuery, the file in archive/', async () => {
  const lines: string[] = [];
  const loader = await loaderDeps(config, clients!, jsonLogger({ component: 'loader', write: (line) => lines.push(line) }));
  const request = await arrive('eod_prices_20240301.csv', 'isin,price,ccy\nDE1,10.5,EUR\nDE2,"11,25",EUR\nTRAILER,2,EOF\n');
  assert.equal(await handleLoadRequest(loader, request), 'loaded');
  const bq = bigqueryClient({ projectId: PROJECT, bigqueryEndpoint: stack!.bigqueryEndpoint });
  const [rows] = await bq.query(`SELECT isin, price FROM \`${PROJECT}.${DATASET}.raw_eod_prices\` ORDER BY isin`);
  assert.deepEqual(rows, [{ isin: 'DE1', price: '10.5' }, { isin: 'DE2', price: '11,25' }]);
  assert.deepEqual(await objectNames(config.topology.buckets.landing.name), []);
  assert.ok((await objectNames(config.topology.buckets.archive.name)).some((n) => n.endsWith('eod_prices_20240301.csv')));
  assert.equal(lines.filter((l) => JSON.parse(l).event === 'load_failed').length, 0);
});

test('a failed load logs exactly one structured load_failed line, the one the failed-loads alert counts', async () => {
  const lines: string[] = [];
  const loader = await loaderDeps(config, clients!, jsonLogger({ component: 'loader', write: (line) => lines.push(line) }));
  const request = await arrive('eod_prices_20240302.csv', 'isin,price,ccy\nDE1,10.5,EUR\nTRAILER,5,EOF\n');
  assert.equal(await handleLoadRequest(loader, request), 'failed');
  const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'load_failed');
  assert.equal(failed.length, 1);
  const line = failed[0]!;
  const generation = JSON.parse(request.data.toString()).data.generation;
  assert.equal(line.severity, 'ERROR');
  assert.equal(line.message, 'loader: load_failed');
  assert.equal(line.table, 'raw_eod_prices');
  assert.equal(line.file, `gs://${config.topology.buckets.landing.name}/${config.topology.buckets.landing.prefix}eod_prices_20240302.csv#${generation}`);
  assert.equal(line.generation, generation);
  assert.match(String(line.loadId), /^[0-9a-f-]{36}$/);
  assert.equal(line.error, 'eod_prices_20240302.csv: expected 5 rows (eod_prices_20240302.csv line 3), found 1');
  assert.ok((await objectNames(config.topology.buckets.failed.name)).some((n) => n.endsWith('eod_prices_20240302.csv')));
});
