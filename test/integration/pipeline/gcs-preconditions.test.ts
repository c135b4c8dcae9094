// Moves against a server that enforces preconditions, as Cloud Storage does and fake-gcs-server does not. Cloud Storage
// cannot run here: a small HTTP double of its JSON API (objects, rewrite, delete, with generations and preconditions)
// stands in for it, reached through the real @google-cloud/storage client and GcsObjectStore.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Storage } from '@google-cloud/storage';
import { GcsObjectStore } from '../../../lib/adapters/gcs/index.js';
import { loadTopology, type Topology } from '../../../lib/config/index.js';
import { readOrigin } from '../../../lib/pipeline/origin.js';
import { destinationOf, movePart, type MoveContext } from '../../../lib/pipeline/moves.js';
import type { Part } from '../../../lib/pipeline/file-doc.js';

interface StoredObject {
  bucket: string;
  name: string;
  generation: string;
  size: string;
  metadata: Record<string, string>;
}

/** Live objects by bucket/name (no versioning), and every request as "METHOD bucket/name". */
class StorageDouble {
  readonly objects = new Map<string, StoredObject>();
  readonly requests: string[] = [];
  private nextGeneration = 1_000;
  private server: Server | undefined;

  put(bucket: string, name: string, metadata: Record<string, string> = {}): StoredObject {
    const object = { bucket, name, generation: String(this.nextGeneration++), size: '3', metadata };
    this.objects.set(`${bucket}/${name}`, object);
    return object;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: Record<string, string> }) : {};
    const send = (status: number, json?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(json === undefined ? '' : JSON.stringify(json));
    };
    const fail = (status: number) => send(status, { error: { code: status, message: `double: ${status}`, errors: [{ message: `double: ${status}` }] } });
    const rewrite = url.pathname.match(/^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)\/rewriteTo\/b\/([^/]+)\/o\/([^/]+)$/);
    const object = url.pathname.match(/^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/);
    if (rewrite) {
      const [, sb, so, db, dn] = rewrite.map((part) => decodeURIComponent(part));
      this.requests.push(`${req.method} rewrite ${db}/${dn}`);
      const source = this.objects.get(`${sb}/${so}`);
      if (!source || source.generation !== url.searchParams.get('sourceGeneration')) return fail(404);
      const existing = this.objects.get(`${db}/${dn}`);
      if (url.searchParams.get('ifGenerationMatch') === '0' && existing) return fail(412);
      const copy = this.put(db!, dn!, body.metadata ?? {});
      return send(200, { kind: 'storage#rewriteResponse', done: true, totalBytesRewritten: copy.size, objectSize: copy.size, resource: copy });
    }
    if (!object) return fail(400);
    const [, bucket, name] = object.map((part) => decodeURIComponent(part));
    const key = `${bucket}/${name}`;
    const live = this.objects.get(key);
    this.requests.push(`${req.method} ${key}`);
    if (req.method === 'GET') return live ? send(200, live) : fail(404);
    if (req.method === 'DELETE') {
      if (!live) return fail(404);
      const match = url.searchParams.get('ifGenerationMatch');
      if (match !== null && match !== live.generation) return fail(412);
      this.objects.delete(key);
      return send(204);
    }
    return fail(405);
  }
}

describe('moves on a server that enforces preconditions (a double of Cloud Storage)', () => {
  const gcs = new StorageDouble();
  let topology: Topology;
  let storage: Storage;

  before(async () => {
    topology = await loadTopology('config/topology.yaml');
    storage = new Storage({ projectId: 'landfall-test', apiEndpoint: await gcs.start() });
  });
  after(() => gcs.stop());
  beforeEach(() => {
    gcs.objects.clear();
    gcs.requests.length = 0;
  });

  const landed = (name: string): Part => ({ ...gcs.put(topology.buckets.landing.name, `${topology.buckets.landing.prefix}${name}`), arrivedAt: '2026-12-02T00:00:00Z' });
  const context = (objects: GcsObjectStore, data: Part): MoveContext => ({ objects, topology, table: 't', batchKey: 'k', loadId: 'l', data });

  it('moves a part with the rewrite and the delete alone, where fake-gcs-server needs a look before each', async () => {
    const part = landed('a.csv');
    const dest = destinationOf(context(new GcsObjectStore(storage), part), part, 'archive');
    const moved = await movePart(context(new GcsObjectStore(storage, { enforcesPreconditions: true }), part), part, 'archive');
    assert.deepEqual(gcs.requests, [`POST rewrite ${dest.bucket}/${dest.name}`, `DELETE ${part.bucket}/${part.name}`]);
    assert.equal(moved.name, dest.name);
    assert.equal(readOrigin(gcs.objects.get(`${dest.bucket}/${dest.name}`)!.metadata)?.origin.name, part.name);
    assert.equal(gcs.objects.has(`${part.bucket}/${part.name}`), false);

    gcs.requests.length = 0;
    const other = landed('b.csv');
    await movePart(context(new GcsObjectStore(storage), other), other, 'archive');
    assert.equal(gcs.requests.filter((r) => r.startsWith('GET')).length, 2, 'looks before the copy and before the delete');
  });

  it("on a path's first claim, fake-gcs-server's move looks before the delete only: no earlier attempt can have copied", async () => {
    const part = landed('first.csv');
    const objects = new GcsObjectStore(storage);
    const dest = destinationOf(context(objects, part), part, 'archive');
    await movePart({ ...context(objects, part), first: true }, part, 'archive');
    assert.deepEqual(gcs.requests, [`POST rewrite ${dest.bucket}/${dest.name}`, `GET ${part.bucket}/${part.name}`, `DELETE ${part.bucket}/${part.name}`]);
    assert.equal(readOrigin(gcs.objects.get(`${dest.bucket}/${dest.name}`)!.metadata)?.origin.name, part.name);
  });

  it('a retried move finds its copy by the refused rewrite: 412 while the source is there, 404 once it is gone', async () => {
    const objects = new GcsObjectStore(storage, { enforcesPreconditions: true });
    const part = landed('c.csv');
    const first = await objects.copy(part, { bucket: topology.buckets.archive.name, name: 'c-copy' }, { metadata: { mark: 'first' } });
    const again = await objects.copy(part, { bucket: topology.buckets.archive.name, name: 'c-copy' }, { metadata: { mark: 'second' } });
    assert.deepEqual([again.generation, again.metadata.mark], [first.generation, 'first']);
    gcs.objects.delete(`${part.bucket}/${part.name}`);
    const afterDelete = await objects.copy(part, { bucket: topology.buckets.archive.name, name: 'c-copy' }, { metadata: { mark: 'third' } });
    assert.equal(afterDelete.generation, first.generation);
    await assert.rejects(objects.copy(part, { bucket: topology.buckets.archive.name, name: 'elsewhere' }, { metadata: {} }), (e: { code?: number }) => e.code === 404);
  });

  it('deleting an old generation never deletes a newer upload of the same name: the server refuses it', async () => {
    const part = landed('d.csv');
    const newer = gcs.put(part.bucket, part.name);
    await new GcsObjectStore(storage, { enforcesPreconditions: true }).delete(part);
    assert.deepEqual(gcs.requests, [`DELETE ${part.bucket}/${part.name}`]);
    assert.equal(gcs.objects.get(`${part.bucket}/${part.name}`)?.generation, newer.generation);
  });
});
