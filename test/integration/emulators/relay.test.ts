// The push relay on the real Pub/Sub emulator, pushing to HTTP endpoints this test runs: the exact envelope,
// back-off, dead-lettering, the ack deadline as the request timeout, the fan-out cap, a down endpoint, a restart.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { loadTopology, subscriptionName, type Topology } from '../../../lib/config/topology.js';
import { createTopicsAndSubscriptions, pubsubClient, WATCH_SUBSCRIPTIONS } from '../../../emulators/bootstrap.js';
import { freePort } from '../../../emulators/ports.js';
import { backoffSeconds, relayTargets, startRelay, type Relay, type RelayLine } from '../../../emulators/relay.js';
import { startPubSub, type Emulator } from '../pipeline/emulators.js';
import { waitFor as waitUntil } from '../../wait-for.js';
import { Endpoint } from './push-endpoint.js';

process.env.METADATA_SERVER_DETECTION = 'none';

const waitFor = <T>(what: string, probe: () => T | undefined, timeoutMs = 30_000) => waitUntil(what, probe, timeoutMs);

describe('push relay (emulators/relay.ts) on the Pub/Sub emulator', () => {
  let emulator: Emulator;
  let pubsub: PubSub;
  let topology: Topology;
  let matcher: Endpoint;
  let loader: Endpoint;
  let relay: Relay | undefined;
  const deadLetters: Message[] = [];
  let deadLetterWatch: Subscription | undefined;
  const lines: RelayLine[] = [];
  const linesFor = (event: RelayLine['event'], messageId: string) => lines.filter((l) => l.event === event && l.messageId === messageId);

  const start = async (leaseSeconds = 10) => {
    const targets = relayTargets(topology, { matcher: matcher.port, loader: loader.port });
    relay = await startRelay({ pubsub, targets, leaseSeconds, log: (line) => lines.push(line) });
  };
  const stop = async () => {
    await relay?.stop();
    relay = undefined;
  };
  const publish = (fn: 'matcher' | 'loader', id: string) =>
    pubsub.topic(topology.topics[topology.functions[fn].trigger]).publishMessage({ data: Buffer.from(`{"id":"${id}"}`), attributes: { id } });

  before(async () => {
    const base = await loadTopology('config/topology.yaml');
    topology = {
      ...base,
      project: 'relay-test',
      // Short enough for a test, the shapes of production's: exponential back-off, 5 attempts, fan-out 3 × 2.
      delivery: { ...base.delivery, ackDeadlineSeconds: 3, minimumBackoffSeconds: 1, maximumBackoffSeconds: 4, maxDeliveryAttempts: 5 },
      functions: {
        ...base.functions,
        matcher: { ...base.functions.matcher, maxInstances: 3, concurrency: 2 },
        loader: { ...base.functions.loader, maxInstances: 1, concurrency: 1 },
      },
    };
    emulator = await startPubSub(topology.project);
    const port = Number(emulator.host.split(':')[1]);
    await createTopicsAndSubscriptions(topology, port, ['matcher', 'loader']);
    pubsub = pubsubClient(topology.project, port);
    deadLetterWatch = pubsub.subscription(WATCH_SUBSCRIPTIONS.deadLetter);
    deadLetterWatch.on('message', (m: Message) => {
      deadLetters.push(m);
      m.ack();
    });
    matcher = new Endpoint(await freePort());
    loader = new Endpoint(await freePort());
    await Promise.all([matcher.listen(), loader.listen()]);
  });

  // A test that fails leaves no relay running and no answer behind for the next one.
  afterEach(async () => {
    await stop();
    const ok: Endpoint['answer'] = (_p, response) => void response.writeHead(204).end();
    matcher.answer = ok;
    loader.answer = ok;
  });

  after(async () => {
    await stop();
    await Promise.all([matcher?.close(), loader?.close()]);
    // An open streaming pull keeps reconnecting (and the process alive) once the emulator is gone.
    await deadLetterWatch?.close();
    await pubsub?.close();
    await emulator?.stop();
  });

  it('reads its settings from the subscription, and they are the ones terraform deploys for the real topology', async () => {
    // The real topology on its own emulator project: what the relay reads must equal the committed tfvars.
    const real = { ...(await loadTopology('config/topology.yaml')), project: 'relay-tfvars' };
    const port = Number(emulator.host.split(':')[1]);
    const functions = ['matcher', 'loader', 'dbtTrigger', 'sweep'] as const;
    await createTopicsAndSubscriptions(real, port, functions);
    const other = pubsubClient(real.project, port);
    const ports = Object.fromEntries(functions.map((fn, i) => [fn, 9000 + i]));
    const probe = await startRelay({ pubsub: other, targets: relayTargets(real, ports) });
    try {
      const tf = JSON.parse(await readFile('terraform/topology.auto.tfvars.json', 'utf8')).topology;
      for (const fn of functions) {
        const read = probe.settings.get(fn)!;
        const want = tf.functions[fn];
        assert.equal(read.ackDeadlineSeconds, tf.delivery.ack_deadline_seconds, `${fn} ack deadline`);
        assert.equal(read.minimumBackoffSeconds, tf.delivery.minimum_backoff_seconds, `${fn} minimum back-off`);
        assert.equal(read.maximumBackoffSeconds, tf.delivery.maximum_backoff_seconds, `${fn} maximum back-off`);
        assert.equal(read.maxDeliveryAttempts, tf.delivery.max_delivery_attempts, `${fn} attempts`);
        assert.equal(read.deadLetterTopic, `projects/${real.project}/topics/${tf.topics.dead_letter}`, `${fn} dead-letter topic`);
        assert.equal(read.slots, want.max_instances * want.concurrency, `${fn} requests at once`);
        assert.ok(read.endpoint.endsWith(`/topics/${want.trigger_topic}`), `${fn} is pushed what its trigger topic carries`);
        assert.equal(read.subscription, `projects/${real.project}/subscriptions/${subscriptionName(real, fn)}`);
      }
    } finally {
      await probe.stop();
      await other.close();
    }
  });

  it('pushes the envelope Pub/Sub sends and acks on 2xx (the message is not delivered again)', async () => {
    await start();
    const messageId = await publish('matcher', 'envelope');
    const [first] = await waitFor('the push', () => (matcher.of('envelope').length ? matcher.of('envelope') : undefined));
    const { envelope, path } = first!;
    assert.equal(path, `/projects/${topology.project}/topics/${topology.topics.arrivals}`);
    assert.equal(envelope.subscription, `projects/${topology.project}/subscriptions/${subscriptionName(topology, 'matcher')}`);
    assert.equal(envelope.deliveryAttempt, 1);
    assert.equal(Buffer.from(envelope.message.data, 'base64').toString(), '{"id":"envelope"}');
    assert.deepEqual(envelope.message.attributes, { id: 'envelope' });
    assert.equal(envelope.message.messageId, messageId);
    assert.ok(Math.abs(Date.parse(envelope.message.publishTime) - Date.now()) < 10_000, envelope.message.publishTime);
    // The emulator accepted the ack (the relay logs it only then).
    const [acked] = await waitFor('the ack', () => (linesFor('push_acked', messageId).length ? linesFor('push_acked', messageId) : undefined));
    assert.equal(acked!.status, 204);
    assert.deepEqual(linesFor('push_nacked', messageId), []);
    await stop();
  });

  it('retries a refusal after the back-off of the retry policy, and dead-letters it after maxDeliveryAttempts as Pub/Sub does', async () => {
    matcher.answer = (pushed, response) => void response.writeHead(pushed.envelope.message.attributes.id === 'poison' ? 500 : 204).end();
    await start();
    await publish('matcher', 'poison');
    const dead = await waitFor('the dead letter', () => deadLetters.find((m) => m.attributes.id === 'poison'), 60_000);
    const pushes = matcher.of('poison');
    const { maxDeliveryAttempts } = topology.delivery;
    assert.deepEqual(pushes.map((p) => p.envelope.deliveryAttempt), Array.from({ length: maxDeliveryAttempts }, (_, i) => i + 1));
    for (let i = 1; i < pushes.length; i++) {
      const gap = (pushes[i]!.at - pushes[i - 1]!.at) / 1000;
      // Never earlier than the policy's back-off.
      assert.ok(gap >= backoffSeconds(topology.delivery, i) - 0.1, `attempt ${i + 1} came ${gap} s after attempt ${i}`);
    }
    assert.equal(dead.attributes.CloudPubSubDeadLetterSourceDeliveryCount, String(maxDeliveryAttempts));
    assert.equal(dead.attributes.CloudPubSubDeadLetterSourceSubscription, subscriptionName(topology, 'matcher'));
    assert.equal(dead.attributes.CloudPubSubDeadLetterSourceSubscriptionProject, topology.project);
    assert.ok(dead.attributes.CloudPubSubDeadLetterSourceTopicPublishTime);
    await stop();
  });

  it('ends a push at the ack deadline and delivers it again', async () => {
    const held = matcher.holdFirst('slow');
    await start();
    await publish('matcher', 'slow');
    const first = await waitFor('the first push', () => matcher.of('slow')[0]);
    const closedAt = await new Promise<number>((resolve) => held[0]!.once('close', () => resolve(Date.now())));
    const seconds = (closedAt - first.at) / 1000;
    assert.ok(seconds >= topology.delivery.ackDeadlineSeconds - 0.1 && seconds < topology.delivery.ackDeadlineSeconds + 1.5, `closed after ${seconds} s`);
    const second = await waitFor('the redelivery', () => matcher.of('slow')[1]);
    assert.equal(second.envelope.deliveryAttempt, 2);
    await stop();
  });

  it('runs at most maxInstances × concurrency pushes at once, and a stuck loader does not hold up the matcher', async () => {
    const heldLoads: ServerResponse[] = [];
    lines.length = 0;
    loader.answer = (_p, response) => heldLoads.push(response);
    matcher.answer = (_p, response) => void setTimeout(() => response.writeHead(204).end(), 200);
    matcher.maxOpen = 0;
    // Everything is published before the relay starts: an uncapped relay would open all 20 at once.
    await Promise.all(Array.from({ length: 20 }, (_, i) => publish('matcher', `fan-${i}`)));
    await Promise.all(Array.from({ length: 3 }, (_, i) => publish('loader', `load-${i}`)));
    // A short lease: a push the relay failed to ack would be back within seconds, and counted below.
    await start(1);
    await waitFor('every matcher push acked', () => (lines.filter((l) => l.event === 'push_acked' && l.fn === 'matcher').length >= 20 ? true : undefined));
    const { matcher: m } = topology.functions;
    assert.equal(matcher.maxOpen, m.maxInstances * m.concurrency);
    assert.equal(loader.maxOpen, 1, 'one loader slot, held the whole time');
    assert.equal(loader.pushes.length, 1);
    loader.answer = (_p, response) => void response.writeHead(204).end();
    heldLoads.forEach((r) => r.writeHead(204).end());
    await waitFor('the other loads', () => (lines.filter((l) => l.event === 'push_acked' && l.fn === 'loader').length === 3 ? true : undefined));
    assert.deepEqual(Array.from({ length: 20 }, (_, i) => matcher.of(`fan-${i}`).length), Array(20).fill(1), 'each pushed once: every ack held');
    await stop();
  });

  it('retries an endpoint that is down under back-off, and delivers once it is up', async () => {
    await loader.close();
    await start();
    const messageId = await publish('loader', 'while-down');
    // Refused twice (then 1 s + 2 s of back-off have passed), up again well before the fifth attempt.
    const refused = await waitFor('two refused pushes', () => (linesFor('push_nacked', messageId).length >= 2 ? linesFor('push_nacked', messageId) : undefined));
    assert.equal(refused[0]!.reason, 'ECONNREFUSED');
    await loader.listen();
    const pushed = await waitFor('the push after the endpoint came back', () => loader.of('while-down')[0]);
    assert.ok((pushed.envelope.deliveryAttempt ?? 0) >= 2, `delivered on attempt ${pushed.envelope.deliveryAttempt}`);
    assert.equal(deadLetters.filter((m) => m.attributes.id === 'while-down').length, 0);
    await stop();
  });

  it('a relay that dies mid-push gives the message back within its lease, and the next relay pushes it again', async () => {
    const held = matcher.holdFirst('orphan');
    await start(2);
    await publish('matcher', 'orphan');
    const first = await waitFor('the first push', () => matcher.of('orphan')[0]);
    await stop(); // no ack, no nack: as if the process died
    await start(2);
    const second = await waitFor('the push by the next relay', () => matcher.of('orphan')[1], 15_000);
    assert.equal(second.envelope.deliveryAttempt, 2);
    assert.equal(second.envelope.message.messageId, first.envelope.message.messageId);
    held.forEach((r) => r.destroy());
    await stop();
  });
});
