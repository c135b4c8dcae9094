// Test helper: the pipeline on real emulators, with the matcher and loader use cases run in this process by pull
// subscriptions (ack on success, nack on a throw), standing in for the push subscriptions of the full stack.
import { DuckDBInstance } from '@duckdb/node-api';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { FirestoreStateStore } from '../../../lib/adapters/firestore/index.js';
import { GcsObjectStore } from '../../../lib/adapters/gcs/index.js';
import { PubSubBus } from '../../../lib/adapters/pubsub/index.js';
import { loadTableMappings, loadTopology, type Topology } from '../../../lib/config/index.js';
import { loadFile } from '../../../lib/load/index.js';
import {
  handleArrival,
  handleLoadRequest,
  serialEngine,
  validateLoadEvents,
  type BusMessage,
  type LoadEngine,
  type LoaderDeps,
  type LoadEvent,
  type MatcherDeps,
  type Severity,
} from '../../../lib/pipeline/index.js';
import { startFakeGcs, startFirestore, startPubSub, type Emulator } from './emulators.js';

export interface Harness {
  topology: Topology;
  storage: Storage;
  objects: GcsObjectStore;
  /** The client on the harness's Firestore emulator (terminated by stop). */
  firestore: Firestore;
  store: FirestoreStateStore;
  pubsub: PubSub;
  bus: PubSubBus;
  matcher: MatcherDeps;
  loader: LoaderDeps;
  duckdbPath: string;
  events: LoadEvent[];
  deadLetters: { attributes: Record<string, string>; data: string }[];
  /** Every line the matcher and loader logged, in order. */
  logs: { severity: Severity; event: string; fields: Record<string, unknown> }[];
  /**
   * While set, messages of that role are acked unhandled: what a dead-lettered message leaves behind (an arrival
   * the matcher never saw, a load request the loader never took).
   */
  drop: { arrivals: boolean; loadRequests: boolean };
  /** Messages acked unhandled while their `drop` flag was set. */
  dropped: { arrivals: number; loadRequests: number };
  /** Replaces the load step (fault injection wraps `realLoad`). */
  setLoad(load: LoadEngine): void;
  realLoad: LoadEngine;
  upload(name: string, text: string): Promise<void>;
  waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** A check for `waitFor`: the `n`th load event of (table, batch key), once one has come. */
  eventFor(table: string, batchKey: string, n?: number): () => LoadEvent | undefined;
  /** The names of a bucket's objects, sorted. */
  names(bucket: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** A trades file of `rows` rows (header `id,qty`). */
export const trades = (rows: number) => `id,qty\n${Array.from({ length: rows }, (_, i) => `${i},${i * 10}`).join('\n')}\n`;

function toBusMessage(m: Message): BusMessage {
  return { data: m.data, attributes: m.attributes, messageId: m.id, publishTime: m.publishTime.toISOString() };
}

function serve(sub: Subscription, handle: (m: BusMessage) => Promise<unknown>): void {
  sub.on('message', (m: Message) => {
    handle(toBusMessage(m)).then(
      () => m.ack(),
      () => m.nack(),
    );
  });
}

export async function startHarness(project: string): Promise<Harness> {
  const emulators: Emulator[] = [];
  const [ps, fs] = await Promise.all([startPubSub(project), startFirestore()]);
  emulators.push(ps, fs);
  process.env.PUBSUB_EMULATOR_HOST = ps.host;
  process.env.FIRESTORE_EMULATOR_HOST = fs.host;
  process.env.METADATA_SERVER_DETECTION = 'none';
  const topology = await loadTopology('config/topology.yaml', { project });
  const pubsub = new PubSub({ projectId: project });
  const subs: Record<string, Subscription> = {};
  for (const [role, name] of Object.entries(topology.topics)) {
    const [topic] = await pubsub.createTopic(name);
    [subs[role]] = await topic.createSubscription(`${name}-test`, { ackDeadlineSeconds: 60, retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } } });
  }
  // The sweep's own subscription on the dead letters, as the stack and terraform make it.
  await pubsub.topic(topology.topics.deadLetter).createSubscription(topology.deadLetterSweepSubscription, { ackDeadlineSeconds: 60 });
  const { landing, archive, failed } = topology.buckets;
  const gcs = await startFakeGcs({ pubsubHost: ps.host, project, topic: topology.topics.arrivals, bucket: landing.name, prefix: landing.prefix });
  emulators.push(gcs);
  const storage = new Storage({ projectId: project, apiEndpoint: `http://${gcs.host}` });
  for (const bucket of [landing, archive, failed]) await storage.createBucket(bucket.name);
  const dir = await mkdtemp(join(tmpdir(), 'landfall-pipeline-'));
  const duckdbPath = join(dir, 'warehouse.duckdb');
  const firestore = new Firestore({ projectId: project, ignoreUndefinedProperties: true });
  const objects = new GcsObjectStore(storage);
  const store = new FirestoreStateStore(firestore);
  const bus = new PubSubBus(pubsub);
  const mappings = await loadTableMappings('config/tables');
  const logs: Harness['logs'] = [];
  const record = (severity: Severity, event: string, fields: Record<string, unknown> = {}) => void logs.push({ severity, event, fields });
  const realLoad = serialEngine(() => openDuckDbWarehouse(duckdbPath, { tempDirectory: dir }), loadFile);
  let load = realLoad;
  const common = { store, bus, objects, mappings, topology, log: record };
  const matcher: MatcherDeps = { ...common };
  const loader: LoaderDeps = { ...common, load: (r) => load(r), leaseMs: 30_000 };
  const events: LoadEvent[] = [];
  const deadLetters: Harness['deadLetters'] = [];
  const drop = { arrivals: false, loadRequests: false };
  const dropped = { arrivals: 0, loadRequests: 0 };
  serve(subs.arrivals!, async (m) => (drop.arrivals ? void dropped.arrivals++ : handleArrival(matcher, m)));
  serve(subs.loadRequests!, async (m) => (drop.loadRequests ? void dropped.loadRequests++ : handleLoadRequest(loader, m)));
  serve(subs.loadEvents!, async (m) => void events.push(...validateLoadEvents(JSON.parse(m.data.toString()))));
  serve(subs.deadLetter!, async (m) => void deadLetters.push({ attributes: m.attributes, data: m.data.toString() }));
  return {
    topology,
    storage,
    objects,
    firestore,
    store,
    pubsub,
    bus,
    matcher,
    loader,
    duckdbPath,
    events,
    deadLetters,
    logs,
    drop,
    dropped,
    realLoad,
    setLoad: (next) => (load = next),
    upload: async (name, text) => {
      await storage.bucket(landing.name).file(`${landing.prefix}${name}`).save(text, { resumable: false });
    },
    waitFor: async (what, check, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) return value as never;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    query: async (sql) => {
      const instance = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY' });
      try {
        const connection = await instance.connect();
        const reader = await connection.runAndReadAll(sql);
        connection.closeSync();
        return reader.getRowObjectsJson() as Record<string, unknown>[];
      } finally {
        instance.closeSync();
      }
    },
    eventFor: (table, batchKey, n = 1) => () => events.filter((e) => e.table === table && e.batchKey === batchKey)[n - 1],
    names: async (bucket) => (await objects.list(bucket, '')).map((o) => o.name).sort(),
    stop: async () => {
      await Promise.allSettled(Object.values(subs).map((s) => s.close()));
      await Promise.allSettled([bus.close(), pubsub.close(), firestore.terminate()]);
      await Promise.all(emulators.map((e) => e.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
