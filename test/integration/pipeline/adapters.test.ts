// The GCS, Firestore and Pub/Sub adapters against the real emulators (fake-gcs-server, gcloud emulators).
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FirestoreStateStore } from '../../../lib/adapters/firestore/index.js';
import { GcsObjectStore } from '../../../lib/adapters/gcs/index.js';
import { PubSubBus } from '../../../lib/adapters/pubsub/index.js';
import { applyArrival, type FileDoc } from '../../../lib/pipeline/index.js';
import { NOW, arrived, part, plain, withGo } from '../../unit/pipeline/helpers.js';
import { startFakeGcs, startFirestore, startPubSub, type Emulator } from './emulators.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const project = 'adapters-test';
let emulators: Emulator[] = [];
let storage: Storage;
let objects: GcsObjectStore;
let firestore: Firestore;
let pubsub: PubSub;

before(async () => {
  emulators = await Promise.all([startPubSub(project), startFirestore(), startFakeGcs()]);
  const [ps, fs, gcs] = emulators as [Emulator, Emulator, Emulator];
  process.env.PUBSUB_EMULATOR_HOST = ps.host;
  process.env.FIRESTORE_EMULATOR_HOST = fs.host;
  storage = new Storage({ projectId: project, apiEndpoint: `http://${gcs.host}` });
  await Promise.all(['landing', 'archive'].map((b) => storage.createBucket(b)));
  objects = new GcsObjectStore(storage);
  firestore = new Firestore({ projectId: project, ignoreUndefinedProperties: true });
  pubsub = new PubSub({ projectId: project });
});

after(async () => {
  await Promise.allSettled([firestore?.terminate(), pubsub?.close()]);
  await Promise.all(emulators.map((e) => e.stop()));
});

/** What `change` cost in Firestore requests: commits and document reads, counted on the client's own prototypes. */
async function firestoreCalls<T>(change: () => Promise<T>): Promise<{ result: T; commits: number; reads: number }> {
  const calls = { commits: 0, reads: 0 };
  const batchProto = Object.getPrototypeOf(firestore.batch()) as { commit: (...args: unknown[]) => Promise<unknown> };
  const docProto = Object.getPrototypeOf(firestore.doc('x/y')) as { get: (...args: unknown[]) => Promise<unknown> };
  const [realCommit, realGet] = [batchProto.commit, docProto.get];
  batchProto.commit = function (this: unknown, ...args: unknown[]) {
    calls.commits++;
    return realCommit.apply(this, args);
  };
  docProto.get = function (this: unknown, ...args: unknown[]) {
    calls.reads++;
    return realGet.apply(this, args);
  };
  try {
    return { result: await change(), ...calls };
  } finally {
    batchProto.commit = realCommit;
    docProto.get = realGet;
  }
}

test('gcs: stat, ranged reads, one download, text and listing', async () => {
  await storage.bucket('landing').file('incoming/a.csv').save('h1,h2\n1,2\n3,4\n', { resumable: false });
  const info = (await objects.stat('landing', 'incoming/a.csv'))!;
  assert.equal(info.size, 14);
  assert.match(info.generation, /^\d+$/);
  assert.equal(await objects.stat('landing', 'incoming/none.csv'), undefined);
  const source = await objects.openSource(info, { name: 'a.csv', path: 'a.csv', uri: 'gs://landing/incoming/a.csv', generation: info.generation });
  assert.equal((await source.readHead(5)).toString(), 'h1,h2');
  assert.equal((await source.readTail(4)).toString(), '3,4\n');
  assert.equal((await source.readHead(1000)).length, 14);
  const path = await source.localPath();
  assert.equal(await source.localPath(), path);
  await source.dispose();
  assert.equal(await objects.readText(info), 'h1,h2\n1,2\n3,4\n');
  assert.deepEqual((await objects.list('landing', 'incoming/')).map((o) => o.name), ['incoming/a.csv']);
});

test('gcs: copy carries metadata; a repeated copy returns the existing destination', async () => {
  const info = (await objects.writeText('landing', 'incoming/b.csv', 'x\n1\n', 'text/csv'))!;
  const copy = await objects.copy(info, { bucket: 'archive', name: 't/k/1/b.csv' }, { metadata: { 'landfall-origin-name': info.name } });
  assert.equal(copy.metadata['landfall-origin-name'], 'incoming/b.csv');
  assert.equal(await objects.readText(copy), 'x\n1\n');
});

test('gcs: deleting an old generation never deletes a newer upload of the same name', async () => {
  const first = await objects.writeText('landing', 'incoming/c.csv', 'v1\n', 'text/csv');
  const second = await objects.writeText('landing', 'incoming/c.csv', 'v2\n', 'text/csv');
  assert.notEqual(first.generation, second.generation);
  await objects.delete(first);
  assert.equal((await objects.stat('landing', 'incoming/c.csv'))?.generation, second.generation);
  await objects.delete(second);
  assert.equal(await objects.stat('landing', 'incoming/c.csv'), undefined);
  await objects.delete(second);
});

test('firestore: concurrent arrivals of data and go files publish exactly one request', async () => {
  const store = new FirestoreStateStore(firestore, { collectionPrefix: 'concurrent-' });
  const parts = [arrived('data', part('trades_1.csv', '10')), arrived('go', part('trades_1.go', '11'))];
  const deliveries = [...parts, ...parts, ...parts];
  const results = await Promise.all(
    deliveries.map((a) =>
      store.update('raw_trades~1', (doc) => {
        const next = applyArrival(doc, a, withGo, { folder: '', batchKey: '1' }, NOW);
        return { doc: next.doc, write: next.doc !== doc, result: next };
      }),
    ),
  );
  const requests = results.filter((r) => r.request && r.outcome === 'ready');
  assert.equal(requests.length, 1);
  const doc = (await store.get('raw_trades~1')) as FileDoc;
  assert.equal(doc.state, 'ready');
  assert.equal(doc.round, 1);
  assert.deepEqual((await store.list()).map((d) => d.table), ['raw_trades']);
});

test('firestore: an update replaces the document (a field the decision drops is gone) and parallel updates lose none', async () => {
  const store = new FirestoreStateStore(firestore, { collectionPrefix: 'replace-' });
  const before = await store.update('t~1', (d) => ({ doc: applyArrival(d, arrived('data', part('t_1.csv', '1')), plain, { folder: '', batchKey: '1' }, NOW).doc, write: true, result: d }));
  assert.equal(before, undefined, 'the first update creates the document');
  await store.update('t~1', (d) => ({ doc: { ...d!, overdue: { round: 1, reportedAt: NOW } }, write: true, result: undefined }));
  await store.update('t~1', (d) => {
    const { overdue: _, ...rest } = d!;
    return { doc: rest, write: true, result: undefined };
  });
  assert.equal('overdue' in (await store.get('t~1'))!, false);
  await Promise.all(Array.from({ length: 12 }, () => store.update('t~1', (d) => ({ doc: { ...d!, claims: d!.claims + 1 }, write: true, result: undefined }))));
  assert.equal((await store.get('t~1'))!.claims, 12);
});

test('firestore: a change of a document this process wrote last starts from that version; a replaced version is read again', async () => {
  const [here, there] = [0, 1].map(() => new FirestoreStateStore(firestore, { collectionPrefix: 'versions-' }));
  const bump = (store: FirestoreStateStore) => store.update('t~1', (d) => ({ doc: { ...d!, claims: d!.claims + 1 }, write: true, result: undefined }));
  const readsOf = async (change: () => Promise<unknown>) => (await firestoreCalls(change)).reads;
  await here!.update('t~1', (d) => ({ doc: applyArrival(d, arrived('data', part('t_1.csv', '1')), plain, { folder: '', batchKey: '1' }, NOW).doc, write: true, result: undefined }));
  assert.equal(await readsOf(() => bump(here!)), 0, 'the version it wrote is the one it changes');
  assert.equal(await readsOf(() => bump(there!)), 1, 'another process reads first');
  assert.equal(await readsOf(() => bump(here!)), 1, 'its version was replaced: the commit is refused, then it reads');
  await bump(there!);
  const seen = await here!.update('t~1', (d) => ({ doc: d, write: false, result: d!.claims }));
  assert.equal(seen, 4, 'a decision to write nothing is taken from a read, not from an old version');
  assert.equal((await here!.get('t~1'))!.claims, 4, 'no change was lost');
});

test('firestore: changes of several documents in one turn go in one commit; a refused one costs the others nothing', async () => {
  const [here, there] = [0, 1].map(() => new FirestoreStateStore(firestore, { collectionPrefix: 'group-' }));
  const ids = Array.from({ length: 20 }, (_, i) => `t~${i}`);
  const bump = (store: FirestoreStateStore, id: string) => store.update(id, (d) => ({ doc: { ...d!, claims: d!.claims + 1 }, write: true, result: undefined }));
  const bumpAll = async () => {
    const { commits, reads } = await firestoreCalls(() => Promise.all(ids.map((id) => bump(here!, id))));
    return { commits, reads };
  };
  await Promise.all(ids.map((id, i) => here!.update(id, (d) => ({ doc: applyArrival(d, arrived('data', part(`t_${i}.csv`, '1')), plain, { folder: '', batchKey: String(i) }, NOW).doc, write: true, result: undefined }))));
  assert.deepEqual(await bumpAll(), { commits: 1, reads: 0 }, 'twenty changes from the versions written, in one commit');
  await bump(there!, ids[5]!);
  // The group is refused for t~5's condition: each change commits alone, and only t~5 reads again.
  assert.deepEqual(await bumpAll(), { commits: 1 + 20 + 1, reads: 1 });
  const claims = await Promise.all(ids.map(async (id) => (await here!.get(id))!.claims));
  assert.deepEqual(claims, ids.map((_, i) => (i === 5 ? 3 : 2)), 'no change lost, none doubled');
});

test('firestore: an update of a likely new document creates it without a read; one already there costs a refused create, then the read', async () => {
  const [here, there] = [0, 1].map(() => new FirestoreStateStore(firestore, { collectionPrefix: 'likely-new-' }));
  const arrive = (store: FirestoreStateStore, role: 'data' | 'go', name: string) =>
    store.update('t~1', (d) => ({ doc: applyArrival(d, arrived(role, part(name, '1')), withGo, { folder: '', batchKey: '1' }, NOW).doc, write: true, result: d?.state ?? 'new' }), { likelyNew: true });
  assert.deepEqual(await firestoreCalls(() => arrive(here!, 'data', 't_1.csv')), { result: 'new', commits: 1, reads: 0 }, 'a create, no read');
  assert.deepEqual(await firestoreCalls(() => arrive(there!, 'go', 't_1.go')), { result: 'waiting', commits: 2, reads: 1 }, 'refused create, read, update');
  const doc = (await here!.get('t~1'))!;
  assert.deepEqual([doc.current.data?.name, doc.current.go?.name], ['incoming/t_1.csv', 'incoming/t_1.go'], 'the second arrival was decided on the document as it was');
});

test('firestore: unmatched objects keep their first sighting', async () => {
  const store = new FirestoreStateStore(firestore, { collectionPrefix: 'unmatched-' });
  await store.recordUnmatched('landing~x', { bucket: 'landing', name: 'incoming/x.txt', generation: '1', lastSeenAt: '2024-01-01T00:00:00.000Z' });
  await store.recordUnmatched('landing~x', { bucket: 'landing', name: 'incoming/x.txt', generation: '2', lastSeenAt: '2024-01-02T00:00:00.000Z' });
  const [record] = await store.listUnmatched();
  assert.deepEqual(record, { bucket: 'landing', name: 'incoming/x.txt', generation: '2', firstSeenAt: '2024-01-01T00:00:00.000Z', lastSeenAt: '2024-01-02T00:00:00.000Z' });
});

test('pubsub: publish reaches a subscription with attributes; seek redelivers acked messages', async () => {
  const [topic] = await pubsub.createTopic('bus-test');
  const [sub] = await topic.createSubscription('bus-test-pull', { retainAckedMessages: true });
  const bus = new PubSubBus(pubsub);
  const start = new Date(Date.now() - 1000);
  const id = await bus.publish('bus-test', Buffer.from('{"a":1}'), { k: 'v' });
  const received = await new Promise<{ id: string; data: string; attrs: Record<string, string> }>((resolve) => {
    sub.once('message', (m) => {
      m.ack();
      resolve({ id: m.id, data: m.data.toString(), attrs: m.attributes });
    });
  });
  assert.deepEqual(received, { id, data: '{"a":1}', attrs: { k: 'v' } });
  const again = new Promise<string>((resolve) => sub.once('message', (m) => (m.ack(), resolve(m.id))));
  await bus.seek('bus-test-pull', start);
  assert.equal(await again, id);
  await sub.close();
  await bus.close();
});

test('firestore: patch writes only over the document it read, without a transaction', async () => {
  const store = new FirestoreStateStore(firestore, { collectionPrefix: 'patch-' });
  const ready = applyArrival(undefined, arrived('data', part('inst_1.csv', '10')), plain, { folder: '', batchKey: '1' }, NOW).doc;
  await store.update('raw_inst~1', () => ({ doc: ready, write: true, result: undefined }));
  // The sweep's way: mark a round overdue once.
  const markOverdue = (round: number) => (doc: FileDoc | undefined) =>
    doc !== undefined && doc.round === round && doc.overdue === undefined ? { overdue: { round, reportedAt: NOW } } : undefined;
  assert.equal(await store.patch('raw_inst~1', markOverdue(2)), false, 'another round: nothing to mark');
  assert.equal(await store.patch('raw_inst~1', markOverdue(1)), true);
  assert.deepEqual((await store.get('raw_inst~1'))?.overdue, { round: 1, reportedAt: NOW });
  assert.equal(await store.patch('raw_inst~1', markOverdue(1)), false, 'already marked');
  assert.equal(await store.patch('raw_inst~none', () => ({ overdue: { round: 1, reportedAt: NOW } })), false, 'no document: nothing written');
  assert.equal(await store.get('raw_inst~none'), undefined);

  // A write between the read and the patch wins: the patch is dropped, not applied over it.
  await store.update('raw_inst~1', () => ({ doc: ready, write: true, result: undefined }));
  const raced = await store.patch('raw_inst~1', async (doc) => {
    await store.update('raw_inst~1', (d) => ({ doc: { ...d!, state: 'loading' }, write: true, result: undefined }));
    return markOverdue(1)(doc);
  });
  assert.equal(raced, false, 'the document changed after the read: the patch is refused');
  const after = await store.get('raw_inst~1');
  assert.deepEqual([after?.state, after?.overdue], ['loading', undefined], 'the other write stands, and nothing of the patch');
});
