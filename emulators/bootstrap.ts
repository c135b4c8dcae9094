// Creates what the topology declares on the emulators: buckets, topics, function and watch subscriptions (idempotent).
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { BUCKET_ROLES, TOPIC_ROLES, subscriptionName, type FunctionName, type Topology } from '../lib/config/topology.js';
import { HOST } from './ports.js';

/** Pull subscriptions for observers and tests: what was dead-lettered, and every load event. */
export const WATCH_SUBSCRIPTIONS = {
  deadLetter: 'landfall-dead-letter-watch',
  loadEvents: 'landfall-load-events-watch',
} as const;

export function pubsubClient(project: string, port: number): PubSub {
  return new PubSub({ projectId: project, apiEndpoint: `${HOST}:${port}`, emulatorMode: true });
}

export function storageClient(project: string, port: number): Storage {
  return new Storage({ projectId: project, apiEndpoint: `http://${HOST}:${port}` });
}

function alreadyExists(error: unknown): boolean {
  const e = error as { code?: number | string };
  return e.code === 6 || e.code === 409 || e.code === 'ALREADY_EXISTS';
}

async function ignoreExisting(create: Promise<unknown>): Promise<void> {
  try {
    await create;
  } catch (error) {
    if (!alreadyExists(error)) throw error;
  }
}

export async function createBuckets(topology: Topology, storagePort: number): Promise<void> {
  const storage = storageClient(topology.project, storagePort);
  await Promise.all(BUCKET_ROLES.map((role) => ignoreExisting(storage.createBucket(topology.buckets[role].name))));
}

/** The endpoint path makes functions-framework build the messagePublished CloudEvent's `source` from it. */
export function pushEndpoint(topology: Topology, fn: FunctionName, port: number): string {
  return `http://${HOST}:${port}/projects/${topology.project}/topics/${topology.topics[topology.functions[fn].trigger]}`;
}

/**
 * Topics first (a subscription and its dead-letter policy need them), then one subscription per running function
 * with the topology's delivery policy, then the watch subscriptions. The function subscriptions have no push
 * config: the emulator would push each one message at a time, two loops per subscription, and drop what the
 * endpoint refuses once it gives up; the relay (relay.ts) pulls them and pushes as Pub/Sub does.
 */
export async function createTopicsAndSubscriptions(topology: Topology, pubsubPort: number, functions: readonly FunctionName[]): Promise<void> {
  const pubsub = pubsubClient(topology.project, pubsubPort);
  try {
    await Promise.all(TOPIC_ROLES.map((role) => ignoreExisting(pubsub.createTopic(topology.topics[role]))));
    const { delivery, topics } = topology;
    const functionSubscriptions = functions.map((name) =>
      ignoreExisting(
        pubsub.topic(topics[topology.functions[name].trigger]).createSubscription(subscriptionName(topology, name), {
          ackDeadlineSeconds: delivery.ackDeadlineSeconds,
          retryPolicy: {
            minimumBackoff: { seconds: delivery.minimumBackoffSeconds },
            maximumBackoff: { seconds: delivery.maximumBackoffSeconds },
          },
          deadLetterPolicy: {
            deadLetterTopic: pubsub.topic(topics.deadLetter).name,
            maxDeliveryAttempts: delivery.maxDeliveryAttempts,
          },
          retainAckedMessages: delivery.retainAckedMessages,
          messageRetentionDuration: { seconds: delivery.messageRetentionSeconds },
        }),
      ),
    );
    const watches = [
      ignoreExisting(pubsub.topic(topics.deadLetter).createSubscription(WATCH_SUBSCRIPTIONS.deadLetter)),
      ignoreExisting(pubsub.topic(topics.deadLetter).createSubscription(topology.deadLetterSweepSubscription, { ackDeadlineSeconds: 60 })),
      ignoreExisting(pubsub.topic(topics.loadEvents).createSubscription(WATCH_SUBSCRIPTIONS.loadEvents)),
    ];
    await Promise.all([...functionSubscriptions, ...watches]);
  } finally {
    await pubsub.close();
  }
}
