// A push runs up to its deadline (the subscription's ack deadline, 600 s in the topology) and no less: a loader
// request that waits behind commits for more than five minutes is still answered, as Pub/Sub push would wait for it.
// This file waits 5 min 5 s on purpose: the limit it guards against (a transport's own 300 s for the response
// headers, which Node's fetch has) cannot be shortened from outside, so only a response that slow shows it.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { push, pushEnvelope } from '../../../emulators/push-envelope.js';
import { freePort } from '../../../emulators/ports.js';

const SLOW_ANSWER_MS = 305_000;

describe('a push to an endpoint (emulators/push-envelope.ts)', () => {
  const held: ServerResponse[] = [];
  let url: string;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const [, what, value] = request.url!.split('/');
      if (what === 'after') setTimeout(() => response.writeHead(204).end(), Number(value));
      else if (what === 'status') response.writeHead(Number(value)).end();
      else held.push(response);
    });
  });
  const envelope = pushEnvelope({ data: Buffer.from('{}'), attributes: {}, messageId: '1', publishTime: new Date().toISOString() }, 'projects/p/subscriptions/s');

  before(async () => {
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('is acked when the endpoint answers after five minutes, inside a 600 s deadline', { timeout: SLOW_ANSWER_MS + 60_000 }, async () => {
    const started = Date.now();
    const outcome = await push(`${url}/after/${SLOW_ANSWER_MS}`, envelope, 600_000);
    assert.deepEqual(outcome, { acked: true, status: 204 });
    assert.ok(Date.now() - started >= SLOW_ANSWER_MS, `answered after ${Date.now() - started} ms`);
  });

  it('is a nack at its deadline when the endpoint never answers', async () => {
    const started = Date.now();
    const outcome = await push(`${url}/never`, envelope, 1_000);
    const took = Date.now() - started;
    assert.deepEqual(outcome, { acked: false, status: null, reason: 'no answer within 1000 ms' });
    assert.ok(took >= 1_000 && took < 5_000, `ended after ${took} ms`);
    assert.equal(held.length, 1, 'the endpoint had the push');
  });

  it('is a nack carrying the status of an answer that is not 102, 200, 201, 202 or 204', async () => {
    assert.deepEqual(await push(`${url}/status/503`, envelope, 5_000), { acked: false, status: 503, reason: 'HTTP 503' });
    assert.deepEqual(await push(`${url}/status/202`, envelope, 5_000), { acked: true, status: 202 });
  });
});
