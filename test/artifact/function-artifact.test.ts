// What deploys is what is tested: the upload gcloud makes, built as the Node.js 24 runtime builds it, each function
// started from package.json main and answering one real Pub/Sub push envelope against the emulators.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { pushEnvelope } from '../../emulators/push-envelope.js';
import { WATCH_SUBSCRIPTIONS, pubsubClient, startStack, type Stack } from '../../emulators/stack.js';
import type { FunctionName } from '../../lib/config/index.js';
import { bigqueryClient } from '../../lib/adapters/bigquery/index.js';
import { queryDuckDb } from '../e2e/harness.js';
import { startBigQueryStack } from '../integration/bigquery/stack.js';
import { waitFor } from '../wait-for.js';
import { buildArtifact, type Artifact } from './build.js';
import { compileCacheUse, firstAnswer, landedObject, modulesLoaded, peakRssMiB, startOnStack, type RunningFunction, type StartedFunction } from './functions.js';

let dir: string;
let artifact: Artifact;
let stack: Stack;
let requests: Subscription;
let deadLetters: Subscription;
const pulled: { requests: Message[]; dead: Message[] } = { requests: [], dead: [] };
const running: RunningFunction[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-artifact-'));
  [artifact, stack] = await Promise.all([
    buildArtifact(join(dir, 'upload')),
    startStack({ freePorts: true, functions: [], workDir: join(dir, 'stack'), log: () => {} }),
  ]);
  const pubsub = pubsubClient(stack.project, stack.ports.pubsub);
  [requests] = await pubsub.topic(stack.topology.topics.loadRequests).createSubscription('artifact-load-requests');
  requests.on('message', (m: Message) => (pulled.requests.push(m), m.ack()));
  deadLetters = pubsub.subscription(WATCH_SUBSCRIPTIONS.deadLetter);
  deadLetters.on('message', (m: Message) => (pulled.dead.push(m), m.ack()));
}, { timeout: 600_000 });

after(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await Promise.allSettled([requests?.close(), deadLetters?.close()]);
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const until = <T>(what: string, found: () => T | undefined) => waitFor(what, found, 30_000);

async function start(fn: FunctionName, env: Record<string, string> = {}): Promise<StartedFunction> {
  const started = await startOnStack(stack, artifact.dir, fn, { duckdb: join(dir, 'artifact.duckdb'), tmp: join(dir, 'tmp') }, env);
  running.push(started.running);
  return started;
}

let messages = 0;
const envelope = (data: Buffer, attributes: Record<string, string>, fn: FunctionName) =>
  pushEnvelope({ data, attributes, messageId: `artifact-${++messages}`, publishTime: new Date().toISOString() }, `projects/${stack.project}/subscriptions/${fn}`, 1);

/** The GCS notification for an object just uploaded to the landing bucket. */
async function landed(name: string, text: string) {
  const { data, attributes } = await landedObject(stack, name, text);
  return envelope(data, attributes, 'matcher');
}

test('the upload is the source and config the build needs: no tests, fixtures, caches, builds or secrets', (t) => {
  const banned = /^(test|bench|docs|dbt|emulators|terraform|node_modules|dist|\.compile-cache|\.cache|\.landfall|\.git)(\/|$)|fixtures|\.tfstate|\.tfvars|\.duckdb|\.pem$|\.key$|(^|\/)\.env/;
  assert.deepEqual(artifact.uploaded.filter((f) => banned.test(f)), []);
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'config/topology.yaml', 'functions/index.ts', 'lib/wiring/loader.ts']) {
    assert.ok(artifact.uploaded.includes(needed), `${needed} is uploaded`);
  }
  t.diagnostic(`upload: ${artifact.uploaded.length} files, ${(artifact.uploadedBytes / 1024).toFixed(0)} KiB`);
});

// A function process adds what it compiled to the cache when it exits; these are SIGKILLed, so each one here
// starts with the cache as the build left it.
test('a cold start reads landfall and the Google clients from the bundle, and nearly every module from the build\'s compile cache', async (t) => {
  const first: Record<string, () => Promise<ReturnType<typeof envelope>>> = {
    matcher: () => landed('instruments_20241130.csv', 'isin,name\nDE0,zero\n'),
    dbtTrigger: async () => envelope(Buffer.from(JSON.stringify({ v: 1, table: 'raw_instruments', batchKey: '20241130', loadId: '11111111-2222-5333-8444-555555555554', status: 'loaded', rows: 1, file: 'gs://x/y#0' })), {}, 'dbtTrigger'),
    sweep: async () => envelope(Buffer.from(JSON.stringify({ v: 1, source: 'cloud-scheduler' })), {}, 'sweep'),
  };
  for (const [fn, push] of Object.entries(first) as [FunctionName, () => Promise<ReturnType<typeof envelope>>][]) {
    const { running, path } = await start(fn, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    assert.deepEqual(await firstAnswer(running, path, await push()), { acked: true, status: 204 }, running.output());
    // What is not bundled: functions-framework and what it loads (it must be the instance that serves the function).
    const unbundled = modulesLoaded(running.output()).map((m) => m.path).filter((path) => /\/node_modules\/(@google-cloud\/(?!functions-framework\/)|google-gax\/|@grpc\/|protobufjs\/)|\/dist\/(lib|functions)\//.test(path));
    assert.deepEqual(unbundled, [], `${fn}: modules loaded beside the bundle (dist/bundle)`);
    const { cached, compiled } = compileCacheUse(running.output());
    t.diagnostic(`${fn}: ${cached} modules from the build's compile cache, ${compiled} compiled`);
    assert.ok(cached > 0 && compiled <= cached / 20, `${fn}: ${cached} modules from the cache, ${compiled} compiled`);
  }
});

test('matcher, loader, dbtTrigger and sweep each start from package.json main on Node 24 and ack a real push', async (t) => {
  const matcher = await start('matcher');
  const arrival = await landed('instruments_20241201.csv', 'isin,name\nDE1,one\nDE2,two\n');
  assert.deepEqual(await firstAnswer(matcher.running, matcher.path, arrival), { acked: true, status: 204 }, matcher.running.output());
  t.diagnostic(`matcher: first ack ${Math.round(performance.now() - matcher.startedAt)} ms after its process started, peak RSS ${(await peakRssMiB(matcher.running.process.pid!)).toFixed(0)} MiB`);

  const request = await until('the load request the matcher published', () => pulled.requests.find((m) => m.data.toString().includes('instruments_20241201.csv')));
  const loader = await start('loader');
  const loadEnvelope = envelope(request.data, request.attributes, 'loader');
  assert.deepEqual(await firstAnswer(loader.running, loader.path, loadEnvelope), { acked: true, status: 204 }, loader.running.output());
  t.diagnostic(`loader: first ack (a DuckDB load) ${Math.round(performance.now() - loader.startedAt)} ms, peak RSS ${(await peakRssMiB(loader.running.process.pid!)).toFixed(0)} MiB`);
  const rows = await queryDuckDb(join(dir, 'artifact.duckdb'), "SELECT path, row_count::INT AS n FROM load_metadata WHERE status = 'loaded'");
  assert.deepEqual(rows, [{ path: 'instruments_20241201.csv', n: 2 }]);

  const trigger = await start('dbtTrigger');
  const event = { v: 1, table: 'raw_instruments', batchKey: '20241201', loadId: '11111111-2222-5333-8444-555555555555', status: 'loaded', rows: 2, file: 'gs://x/y#1' };
  const eventEnvelope = envelope(Buffer.from(JSON.stringify(event)), {}, 'dbtTrigger');
  assert.deepEqual(await firstAnswer(trigger.running, trigger.path, eventEnvelope), { acked: true, status: 204 }, trigger.running.output());
  t.diagnostic(`dbtTrigger: first ack ${Math.round(performance.now() - trigger.startedAt)} ms, peak RSS ${(await peakRssMiB(trigger.running.process.pid!)).toFixed(0)} MiB`);

  const sweep = await start('sweep');
  const tick = envelope(Buffer.from(JSON.stringify({ v: 1, source: 'cloud-scheduler' })), {}, 'sweep');
  assert.deepEqual(await firstAnswer(sweep.running, sweep.path, tick), { acked: true, status: 204 }, sweep.running.output());
  assert.match(sweep.running.output(), /"event":"sweep_done"/, 'the tick ran a sweep over the emulators');
  t.diagnostic(`sweep: first ack ${Math.round(performance.now() - sweep.startedAt)} ms, peak RSS ${(await peakRssMiB(sweep.running.process.pid!)).toFixed(0)} MiB`);
});

test('a push that is no Pub/Sub message is dead-lettered and acked; a load the storage emulator cannot serve is retried (500)', async () => {
  const matcher = await start('matcher');
  const bogus = { not: 'a pubsub push' } as unknown as ReturnType<typeof envelope>;
  assert.deepEqual(await firstAnswer(matcher.running, matcher.path, bogus), { acked: true, status: 204 });
  const dead = await until('the dead letter', () => pulled.dead.find((m) => m.attributes.landfallSource === 'matcher'));
  assert.match(dead.attributes.landfallReason ?? '', /not a Pub\/Sub messagePublished event/);

  const arrival = await landed('instruments_20241202.csv', 'isin\nDE3\n');
  assert.deepEqual(await firstAnswer(matcher.running, matcher.path, arrival), { acked: true, status: 204 });
  const request = await until('its load request', () => pulled.requests.find((m) => m.data.toString().includes('instruments_20241202.csv')));
  const loader = await start('loader');
  const delivery = envelope(request.data, request.attributes, 'loader');
  stack.kill('storage');
  try {
    const refused = await firstAnswer(loader.running, loader.path, delivery);
    assert.equal(refused.acked, false, 'the object cannot be read: Pub/Sub must deliver it again');
    assert.equal(refused.status, 500);
  } finally {
    await stack.restart('storage');
  }
  assert.deepEqual(await firstAnswer(loader.running, loader.path, delivery), { acked: true, status: 204 }, 'the redelivery loads it');
});

test('the dbtTrigger starts and acks although a table mapping is broken in a way only the loader cares about', async () => {
  const tables = join(dir, 'tables-with-a-bad-go-file');
  await cp(join(artifact.dir, 'config/tables'), tables, { recursive: true });
  await mkdir(join(tables, 'extra'), { recursive: true });
  await writeFile(join(tables, 'extra/bad.yaml'), 'fx_*.csv:\n  table: raw_fx\n  go_file: { pattern: fx.go, format: properties, row_count_key: n }\n');
  const trigger = await start('dbtTrigger', { TABLE_CONFIG_PATH: tables });
  const event = { v: 1, table: 'raw_trades', batchKey: '20241203', loadId: '11111111-2222-5333-8444-666666666666', status: 'loaded', rows: 1, file: 'gs://x/z#1' };
  assert.deepEqual(await firstAnswer(trigger.running, trigger.path, envelope(Buffer.from(JSON.stringify(event)), {}, 'dbtTrigger')), { acked: true, status: 204 });
  const matcher = await start('matcher', { TABLE_CONFIG_PATH: tables });
  await until('the matcher to refuse the configuration at cold start', () => (matcher.running.process.exitCode !== null ? true : undefined));
  assert.match(matcher.running.output(), /go_file pattern "fx\.go" must have exactly one \*/);
});

// The production loader: the bundle's BigQuery chunk, its client and a load job, against goccy/bigquery-emulator
// reading gs:// from this stack's fake-gcs-server.
test('on BigQuery the loader starts from the bundle and loads a file, and the dbtTrigger starts with the Cloud Run runner', async (t) => {
  const bq = await startBigQueryStack({ storageEndpoint: stack.env.STORAGE_API_ENDPOINT!, project: stack.project });
  try {
    await bigqueryClient({ projectId: stack.project, bigqueryEndpoint: bq.bigqueryEndpoint }).createDataset('landfall_artifact');
    const matcher = await start('matcher');
    assert.deepEqual(await firstAnswer(matcher.running, matcher.path, await landed('instruments_20241204.csv', 'isin,name\nDE4,four\nDE5,five\n')), { acked: true, status: 204 });
    const request = await until('the load request the matcher published', () => pulled.requests.find((m) => m.data.toString().includes('instruments_20241204.csv')));
    // The Node Storage client takes STORAGE_EMULATOR_HOST as its whole base URL, /storage/v1 included.
    const bigquery = { LOADER_BACKEND: 'bigquery', BQ_DATASET: 'landfall_artifact', BIGQUERY_EMULATOR_HOST: bq.bigqueryEndpoint, STORAGE_EMULATOR_HOST: `${bq.storageEndpoint}/storage/v1` };
    const loader = await start('loader', { ...bigquery, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    assert.deepEqual(await firstAnswer(loader.running, loader.path, envelope(request.data, request.attributes, 'loader')), { acked: true, status: 204 }, loader.running.output());
    t.diagnostic(`loader on BigQuery: first ack ${Math.round(performance.now() - loader.startedAt)} ms, peak RSS ${(await peakRssMiB(loader.running.process.pid!)).toFixed(0)} MiB`);
    assert.ok(modulesLoaded(loader.running.output()).some((m) => /\/dist\/bundle\/bigquery-[^/]+\.js$/.test(m.path)), 'the BigQuery backend came from its chunk of the bundle');
    const [rows] = await bigqueryClient({ projectId: stack.project, bigqueryEndpoint: bq.bigqueryEndpoint }).query(`SELECT isin, name FROM \`${stack.project}.landfall_artifact.raw_instruments\` ORDER BY isin`);
    assert.deepEqual(rows, [{ isin: 'DE4', name: 'four' }, { isin: 'DE5', name: 'five' }]);

    // On BigQuery the dbt trigger's root builds the Cloud Run job runner at cold start: its client from the bundle.
    // The trigger never reads BigQuery; given the emulator's address it would refuse to start (no dbt there), so none.
    const trigger = await start('dbtTrigger', { LOADER_BACKEND: 'bigquery', BQ_DATASET: 'landfall_artifact', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    const event = { v: 1, table: 'raw_instruments', batchKey: '20241204', loadId: '11111111-2222-5333-8444-777777777777', status: 'loaded', rows: 2, file: 'gs://x/w#1' };
    assert.deepEqual(await firstAnswer(trigger.running, trigger.path, envelope(Buffer.from(JSON.stringify(event)), {}, 'dbtTrigger')), { acked: true, status: 204 }, trigger.running.output());
    assert.ok(modulesLoaded(trigger.running.output()).some((m) => /\/dist\/bundle\/[^/]+\.js$/.test(m.path) && readFileSync(m.path, 'utf8').includes('// node_modules/@google-cloud/run/build/src/v2/jobs_client.js')), 'the Cloud Run client came from the bundle');
  } finally {
    await bq.stop();
  }
});
