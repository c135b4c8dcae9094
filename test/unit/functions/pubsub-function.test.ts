import assert from 'node:assert/strict';
import domain from 'node:domain';
import { test } from 'node:test';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { pubsubFunction, type FunctionDeps } from '../../../functions/pubsub-function.js';
import { fileURLToPath } from 'node:url';
import { loadTopology } from '../../../lib/config/index.js';

const TOPOLOGY = fileURLToPath(new URL('../../../config/topology.yaml', import.meta.url));
const activeDomain = (): unknown => (process as { domain?: unknown }).domain;

const event = (data: string): CloudEvent<unknown> =>
  ({ id: 'e1', specversion: '1.0', type: 'google.cloud.pubsub.topic.v1.messagePublished', source: 's', data: { message: { data: Buffer.from(data).toString('base64'), messageId: 'm1' } } }) as CloudEvent<unknown>;

async function deps(): Promise<FunctionDeps> {
  return { topology: await loadTopology(TOPOLOGY), log: () => undefined, bus: { publish: async () => 'id' } };
}

/** Calls the handler as functions-framework does: inside a fresh domain per request. */
function inRequestDomain<T>(run: () => Promise<T>): Promise<T> {
  const d = domain.create();
  return new Promise<T>((resolve, reject) => d.run(() => run().then(resolve, reject)));
}

test('the use case runs outside the domain functions-framework opens for each request, and sees its message', async () => {
  const seen: { domain: unknown; data: string; later: unknown }[] = [];
  const handler = pubsubFunction('matcher', await deps(), async (message) => {
    const now = activeDomain();
    await new Promise((resolve) => setTimeout(resolve, 1));
    seen.push({ domain: now, data: message.data.toString(), later: activeDomain() });
  });
  await inRequestDomain(() => handler(event('{"a":1}')));
  assert.deepEqual(seen, [{ domain: undefined, data: '{"a":1}', later: undefined }]);
});

test('a failure of the use case still reaches the framework as a rejection (a retry)', async () => {
  const handler = pubsubFunction('loader', await deps(), async () => {
    await Promise.resolve();
    throw new Error('transient');
  });
  await assert.rejects(inRequestDomain(() => handler(event('{}'))), /transient/);
});
