// The Bus and Seeker ports over @google-cloud/pubsub.
import { PubSub, v1, type Topic } from '@google-cloud/pubsub';
import type { Bus, PulledMessage, Puller, Seeker } from '../../pipeline/ports.js';

/** How long a pull waits for messages before it answers empty. */
const PULL_WAIT_MS = 2000;
const DEADLINE_EXCEEDED = 4;

export class PubSubBus implements Bus, Seeker, Puller {
  private readonly topics = new Map<string, Topic>();
  private subscriber: Promise<v1.SubscriberClient> | undefined;

  constructor(private readonly pubsub: PubSub) {}

  /** The low-level client: a synchronous pull, which the streaming subscriber of the high-level one has not. */
  private async subscriberClient(): Promise<v1.SubscriberClient> {
    const config = await this.pubsub.getClientConfig();
    return new v1.SubscriberClient({ ...config, port: config.port === undefined ? undefined : Number(config.port) });
  }

  async pull(subscription: string, maxMessages: number): Promise<PulledMessage[]> {
    const client = await (this.subscriber ??= this.subscriberClient());
    const path = `projects/${this.pubsub.projectId}/subscriptions/${subscription}`;
    // A short long-poll: `returnImmediately` may answer empty while messages wait. Its deadline passing is an empty answer.
    let response;
    try {
      [response] = await client.pull({ subscription: path, maxMessages }, { timeout: PULL_WAIT_MS, retry: null });
    } catch (error) {
      if ((error as { code?: number }).code === DEADLINE_EXCEEDED) return [];
      throw error;
    }
    return (response.receivedMessages ?? []).map((received) => {
      const m = received.message ?? {};
      const data = typeof m.data === 'string' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data ?? new Uint8Array());
      const seconds = Number(m.publishTime?.seconds ?? 0);
      const message = { data, attributes: { ...(m.attributes ?? {}) }, messageId: m.messageId ?? '', publishTime: seconds ? new Date(seconds * 1000).toISOString() : null };
      return { message, ack: async () => void (await client.acknowledge({ subscription: path, ackIds: [received.ackId!] })) };
    });
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      // No batching delay: each message is one event someone is waiting on.
      topic = this.pubsub.topic(name, { batching: { maxMessages: 1, maxMilliseconds: 0 } });
      this.topics.set(name, topic);
    }
    return topic;
  }

  publish(topic: string, data: Buffer, attributes: Record<string, string> = {}): Promise<string> {
    return this.topic(topic).publishMessage({ data, attributes });
  }

  async seek(subscription: string, time: Date): Promise<void> {
    await this.pubsub.subscription(subscription).seek(time);
  }

  async close(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
    this.topics.clear();
    if (this.subscriber) await (await this.subscriber).close();
    this.subscriber = undefined;
  }
}

/** A Pub/Sub client for `projectId` (the emulator's when PUBSUB_EMULATOR_HOST is set) and the bus over it. */
export function openPubSubBus(projectId: string): { bus: PubSubBus; pubsub: PubSub } {
  const pubsub = new PubSub({ projectId });
  return { bus: new PubSubBus(pubsub), pubsub };
}
