// The Bus and Seeker ports over @google-cloud/pubsub.
import { PubSub, type Topic } from '@google-cloud/pubsub';
import type { Bus, Seeker } from '../../pipeline/ports.js';

export class PubSubBus implements Bus, Seeker {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly pubsub: PubSub) {}

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
  }
}

/** A Pub/Sub client for `projectId` (the emulator's when PUBSUB_EMULATOR_HOST is set) and the bus over it. */
export function openPubSubBus(projectId: string): { bus: PubSubBus; pubsub: PubSub } {
  const pubsub = new PubSub({ projectId });
  return { bus: new PubSubBus(pubsub), pubsub };
}
