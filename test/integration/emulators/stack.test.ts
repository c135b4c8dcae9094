// The local stack on the real emulators: GCS notifications reach a function by push, retries, dead-letter, restart, stop.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@google-cloud/pubsub';
import { loadTopology } from '../../../lib/config/topology.js';
import { markedProcesses } from '../../../emulators/orphans.js';
import { groupMembers } from '../../../emulators/processes.js';
import { runtimeNode } from '../../../emulators/parts.js';
import { waitFor as waitUntil } from '../../wait-for.js';
import {
  pubsubClient,
  StackError,
  startStack,
  storageClient,
  WATCH_SUBSCRIPTIONS,
  type Stack,
} from '../../../emulators/stack.js';

interface RecordedEvent {
  type: string;
  source: string;
  data: { message: { attributes: Record<string, string>; data: string; messageId: string } };
  /** The Node.js version of the function process that received it. */
  node: string;
}

const waitFor = <T>(what: string, probe: () => T | undefined) => waitUntil(what, probe, 20_000);

describe('local stack start-up failure', () => {
  it('names the part that failed, shows its log, and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'landfall-stack-broken-'));
    try {
      await assert.rejects(
        startStack({
          freePorts: true,
          workDir: dir,
          functionsSource: 'test/fixtures/functions/broken.ts',
          functions: ['matcher'],
          log: () => {},
        }),
        (error: unknown) => {
          assert.ok(error instanceof StackError);
          assert.equal(error.part, 'matcher');
          assert.match(error.message, /matcher exited during start-up/);
          assert.match(error.message, /broken on purpose/);
          return true;
        },
      );
      assert.deepEqual(markedProcesses(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('local stack (emulators/stack.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'landfall-stack-'));
  let stack: Stack;

  const recorded = (): RecordedEvent[] => {
    const file = join(dir, 'matcher.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordedEvent);
  };
  const eventsFor = (objectId: string): RecordedEvent[] =>
    recorded().filter((event) => event.data.message.attributes.objectId === objectId);
  const upload = async (name: string, body: string, bucket = stack.topology.buckets.landing.name) => {
    const file = storageClient(stack.project, stack.ports.storage).bucket(bucket).file(name);
    await file.save(body, { contentType: 'text/csv', resumable: false });
    const [metadata] = await file.getMetadata();
    return metadata;
  };

  before(async () => {
    const topology = await loadTopology('config/topology.yaml');
    // Fast retries so the dead-letter case takes seconds; the attempt count stays the production one.
    topology.delivery = { ...topology.delivery, minimumBackoffSeconds: 0, maximumBackoffSeconds: 1 };
    stack = await startStack({
      freePorts: true,
      workDir: dir,
      topology,
      functionsSource: 'test/fixtures/functions/recorder.ts',
      functions: ['matcher'],
      functionEnv: { RECORDER_DIR: dir },
      log: () => {},
    });
  });

  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a real OBJECT_FINALIZE notification to the function through the push subscription', async () => {
    const name = `${stack.topology.buckets.landing.prefix}trades_20240115.csv`;
    const metadata = await upload(name, 'id,qty\n1,10\n');
    const [event] = await waitFor('the notification', () => (eventsFor(name).length ? eventsFor(name) : undefined));
    assert.ok(event);
    assert.equal(event.type, 'google.cloud.pubsub.topic.v1.messagePublished');
    assert.equal(event.source, `//pubsub.googleapis.com/projects/${stack.project}/topics/${stack.topology.topics.arrivals}`);
    const { attributes, data } = event.data.message;
    assert.equal(attributes.eventType, 'OBJECT_FINALIZE');
    assert.equal(attributes.bucketId, stack.topology.buckets.landing.name);
    assert.equal(attributes.objectId, name);
    assert.equal(attributes.objectGeneration, String(metadata.generation));
    assert.equal(attributes.payloadFormat, 'JSON_API_V1');
    const resource = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>;
    assert.equal(resource.name, name);
    assert.equal(resource.bucket, stack.topology.buckets.landing.name);
    assert.equal(String(resource.generation), String(metadata.generation));
    assert.equal(String(resource.size), '12');
    assert.equal(resource.contentType, 'text/csv');
  });

  it("runs the functions (and the relay) on the deploy runtime's Node.js (config/topology.yaml runtime), as Cloud Functions does", async () => {
    const name = `${stack.topology.buckets.landing.prefix}runtime_check.csv`;
    await upload(name, 'id\n1\n');
    const [event] = await waitFor('the notification', () => (eventsFor(name).length ? eventsFor(name) : undefined));
    assert.equal(stack.topology.runtime, 'nodejs24');
    assert.match(event!.node, /^v24\./);
    // tsx starts its esbuild service beside the relay when a source file is not yet in its cache: not a Node.
    const relay = groupMembers(stack.pid('relay')!).map((pid) => realpathSync(`/proc/${pid}/exe`)).filter((exe) => basename(exe) !== 'esbuild');
    assert.deepEqual([...new Set(relay)], [realpathSync(runtimeNode('nodejs24'))], 'the relay runs on it too');
  });

  it('sends no notification for an object outside the landing prefix or bucket', async () => {
    await upload('elsewhere/outside.csv', 'a\n1\n');
    await upload(`${stack.topology.buckets.landing.prefix}archived.csv`, 'a\n1\n', stack.topology.buckets.archive.name);
    // A later object under the prefix is the barrier: once its event is in, the earlier ones would be too.
    const barrier = `${stack.topology.buckets.landing.prefix}barrier.csv`;
    await upload(barrier, 'a\n1\n');
    await waitFor('the barrier notification', () => (eventsFor(barrier).length ? true : undefined));
    await sleep(300);
    assert.deepEqual(eventsFor('elsewhere/outside.csv'), []);
    assert.deepEqual(
      recorded().filter((event) => event.data.message.attributes.bucketId !== stack.topology.buckets.landing.name),
      [],
    );
  });

  it('redelivers when the function throws, then dead-letters after maxDeliveryAttempts', async () => {
    const name = `${stack.topology.buckets.landing.prefix}poison_1.csv`;
    const pubsub = pubsubClient(stack.project, stack.ports.pubsub);
    const subscription = pubsub.subscription(WATCH_SUBSCRIPTIONS.deadLetter);
    const deadLetters: Message[] = [];
    subscription.on('message', (message: Message) => {
      deadLetters.push(message);
      message.ack();
    });
    try {
      await upload(name, 'a\n1\n');
      const dead = await waitFor('the dead-lettered message', () =>
        deadLetters.find((message) => message.attributes.objectId === name),
      );
      assert.equal(dead.attributes.eventType, 'OBJECT_FINALIZE');
      assert.equal(eventsFor(name).length, stack.topology.delivery.maxDeliveryAttempts);
      assert.equal(new Set(eventsFor(name).map((event) => event.data.message.messageId)).size, 1);
    } finally {
      await subscription.close();
      await pubsub.close();
    }
  });

  it('works again after the Pub/Sub emulator is restarted (topics and subscriptions re-created)', async () => {
    await stack.restart('pubsub');
    const name = `${stack.topology.buckets.landing.prefix}after_restart.csv`;
    await upload(name, 'a\n1\n');
    await waitFor('the notification after restart', () => (eventsFor(name).length ? true : undefined));
  });

  it('stop() leaves no process of any part behind', async () => {
    const groups = [...new Set((['pubsub', 'firestore', 'storage', 'matcher'] as const).map((part) => stack.pid(part)))];
    assert.equal(groups.length, 4);
    // The gcloud wrapper and its Java child share the group: stopping the wrapper alone would not do.
    assert.ok(groupMembers(stack.pid('pubsub') ?? -1).length >= 2, 'pubsub group has the wrapper and java');
    await stack.stop();
    for (const pgid of groups) assert.deepEqual(groupMembers(pgid ?? -1), [], `group ${pgid} is empty`);
    assert.deepEqual(markedProcesses(dir), [], 'no process carries this stack’s mark');
  });
});
