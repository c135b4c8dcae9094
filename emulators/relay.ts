// Push delivery as Pub/Sub does it in production, over the emulator's pull API: the emulator keeps topics,
// subscriptions, messages, delivery counts and dead-lettering; this relay pushes, acks and nacks.
import { v1, type PubSub } from '@google-cloud/pubsub';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionName } from '../lib/config/topology.js';
import { AckBatcher } from './ack-batcher.js';
import { push, pushEnvelope } from './push-envelope.js';
import { backoffSeconds, deliverySettings, publishTimeIso, type DeliverySettings, type Received, type RelayTarget } from './relay-settings.js';

export { backoffSeconds, relayTargets, type DeliverySettings, type RelayTarget } from './relay-settings.js';

export interface RelayLine {
  event: 'push_acked' | 'push_nacked' | 'push_dead_lettered' | 'pull_failed';
  fn: FunctionName;
  [key: string]: unknown;
}

/** What the stack hands the relay process (LANDFALL_RELAY, JSON): the function ports to push to, and its own port. */
export interface RelayProcessConfig {
  functions: Partial<Record<FunctionName, number>>;
  healthPort: number;
}

export interface RelayOptions {
  pubsub: PubSub;
  targets: RelayTarget[];
  /**
   * How long a pulled message is held between lease extensions. Short, so a relay that dies gives its messages
   * back within seconds (the emulator redelivers them, counting an attempt), as a push endpoint that never answers
   * does in production; the push itself may run up to the ack deadline.
   */
  leaseSeconds?: number;
  log?: (line: RelayLine) => void;
}

/** How long one poll waits for a message; stopping the relay takes at most this long. */
const POLL_MS = 2_000;

/**
 * One subscription's pull loop: pulls only as many messages as it has free slots, pushes each, settles each. A refused
 * push is tried again by the relay itself after the policy's back-off, the message held on a lease it keeps extending,
 * and after `maxDeliveryAttempts` it is published to the dead-letter topic with Pub/Sub's attributes. (The emulator's
 * own redelivery of an expired lease was not to be trusted: with a few messages waiting, one nacked with a back-off of
 * seconds was not delivered again for minutes, and a two-minute outage outlasted its test.)
 */
class SubscriptionRelay {
  /** Pushes open now, by ack id, since when: each takes one of the target's slots. */
  private inFlight = new Map<string, number>();
  /** Messages waiting out their back-off: leased, but no slot taken. */
  private held = new Set<string>();
  private waiters: (() => void)[] = [];
  private lease: NodeJS.Timeout | undefined;
  readonly acks = new AckBatcher((ackIds) => this.settle(() => this.client.acknowledge({ subscription: this.target.subscription, ackIds })));

  constructor(
    private readonly client: v1.SubscriberClient,
    private readonly pubsub: PubSub,
    private readonly target: RelayTarget,
    readonly settings: DeliverySettings,
    private readonly leaseSeconds: number,
    private readonly log: (line: RelayLine) => void,
    private readonly stopped: () => boolean,
  ) {}

  /** Resolves once a slot is free (or the relay stops). */
  private async freeSlot(): Promise<void> {
    while (this.inFlight.size >= this.target.slots && !this.stopped()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  async run(): Promise<void> {
    this.lease = setInterval(() => void this.extendLeases(), (this.leaseSeconds * 1000) / 2);
    try {
      while (!this.stopped()) {
        await this.freeSlot();
        if (this.stopped()) return;
        let received: Received[];
        try {
          received = await this.pull(this.target.slots - this.inFlight.size);
        } catch (error) {
          if (this.stopped()) return;
          const code = (error as { code?: number }).code;
          // 4: the long poll ended empty. Anything else (the emulator restarting): try again shortly.
          if (code !== 4) {
            this.log({ event: 'pull_failed', fn: this.target.fn, error: (error as Error).message });
            await sleep(500);
          }
          continue;
        }
        const ackIds = received.map((r) => r.ackId!).filter(Boolean);
        // A poll that answered as the relay stopped: its messages go back at once.
        if (this.stopped()) {
          if (ackIds.length > 0) await this.settle(() => this.modAck(ackIds, 0));
          return;
        }
        if (ackIds.length > 0) await this.settle(() => this.modAck(ackIds, this.leaseSeconds));
        for (const message of received) {
          if (!message.ackId) continue;
          this.inFlight.set(message.ackId, Date.now());
          void this.deliver(message);
        }
      }
    } finally {
      clearInterval(this.lease);
    }
  }

  /** Wakes a loop waiting for a free slot; a loop in a poll stops when the poll ends. */
  release(): void {
    this.wakeAll();
  }

  /**
   * One long poll, which the emulator answers empty at the call's deadline. It is short and never cancelled: the
   * emulator keeps serving a cancelled poll, and a message it hands to one is lost to that delivery attempt.
   */
  private async pull(maxMessages: number): Promise<Received[]> {
    const [response] = await this.client.pull({ subscription: this.target.subscription, maxMessages }, { timeout: POLL_MS, retry: null });
    return response.receivedMessages ?? [];
  }

  /** Pushes the message (it holds a slot) until it is acked, dead-lettered, or the relay stops. */
  private async deliver(received: Received): Promise<void> {
    const { settings, target } = this;
    const ackId = received.ackId!;
    const m = received.message ?? {};
    const data = typeof m.data === 'string' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data ?? new Uint8Array());
    const message = { data, attributes: m.attributes ?? {}, messageId: m.messageId ?? '', publishTime: publishTimeIso(m.publishTime) };
    // Pub/Sub sets deliveryAttempt only on subscriptions with a dead-letter policy; so does the emulator.
    for (let attempt = received.deliveryAttempt || 1; ; attempt++) {
      const envelope = pushEnvelope(message, target.subscription, settings.maxDeliveryAttempts === null ? undefined : attempt);
      const started = Date.now();
      const outcome = await push(target.endpoint, envelope, settings.ackDeadlineSeconds * 1000);
      const ms = Date.now() - started;
      this.inFlight.delete(ackId);
      this.wakeAll();
      const logged = { fn: target.fn, messageId: message.messageId, attempt: settings.maxDeliveryAttempts === null ? null : attempt, status: outcome.status, ms };
      if (outcome.acked) {
        this.acks.add(ackId);
        this.log({ event: 'push_acked', ...logged });
        return;
      }
      if (settings.maxDeliveryAttempts !== null && settings.deadLetterTopic !== null && attempt >= settings.maxDeliveryAttempts) {
        await this.deadLetter(message, attempt, settings.deadLetterTopic);
        this.acks.add(ackId);
        this.log({ event: 'push_dead_lettered', ...logged, reason: outcome.reason });
        return;
      }
      const delay = backoffSeconds(settings, attempt);
      this.log({ event: 'push_nacked', ...logged, reason: outcome.reason, backoffSeconds: delay });
      this.held.add(ackId);
      await this.wait(delay * 1000);
      this.held.delete(ackId);
      await this.freeSlot();
      if (this.stopped()) {
        await this.settle(() => this.modAck([ackId], 0));
        return;
      }
      this.inFlight.set(ackId, Date.now());
    }
  }

  /** Sleeps up to `ms`, or until the relay stops. */
  private async wait(ms: number): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end && !this.stopped(); ) await sleep(Math.min(250, end - Date.now()));
  }

  /** What Pub/Sub does after the last attempt: the message, with its source's attributes, on the dead-letter topic. */
  private async deadLetter(message: { data: Buffer; attributes: Record<string, string>; publishTime: string }, attempts: number, topic: string): Promise<void> {
    const [, project, , subscription] = this.target.subscription.split('/');
    await this.pubsub.topic(topic).publishMessage({
      data: message.data,
      attributes: {
        ...message.attributes,
        CloudPubSubDeadLetterSourceDeliveryCount: String(attempts),
        CloudPubSubDeadLetterSourceSubscription: subscription!,
        CloudPubSubDeadLetterSourceSubscriptionProject: project!,
        CloudPubSubDeadLetterSourceTopicPublishTime: message.publishTime,
      },
    });
  }

  private async modAck(ackIds: string[], ackDeadlineSeconds: number): Promise<void> {
    await this.client.modifyAckDeadline({ subscription: this.target.subscription, ackIds, ackDeadlineSeconds: Math.round(ackDeadlineSeconds) });
  }

  /** An ack or nack that cannot reach the emulator: the lease runs out and the message comes back, as in production. */
  private async settle(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch {
      /* the message is redelivered when its lease expires */
    }
  }

  /** Keeps open pushes leased up to the ack deadline (the push's own timeout ends it there), and waiting ones throughout. */
  private async extendLeases(): Promise<void> {
    const limit = Date.now() - this.settings.ackDeadlineSeconds * 1000;
    const ackIds = [...[...this.inFlight].filter(([, since]) => since > limit).map(([id]) => id), ...this.held];
    if (ackIds.length > 0) await this.settle(() => this.modAck(ackIds, this.leaseSeconds));
  }
}

export interface Relay {
  /** Each target's settings as read from its subscription, plus where and how wide it pushes. */
  settings: Map<FunctionName, DeliverySettings & RelayTarget>;
  stop(): Promise<void>;
}

/** Reads each subscription's delivery settings and starts pushing it. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const config = await options.pubsub.getClientConfig();
  const client = new v1.SubscriberClient({ ...config, port: config.port === undefined ? undefined : Number(config.port) });
  const log = options.log ?? (() => undefined);
  const leaseSeconds = options.leaseSeconds ?? 10;
  let stopped = false;
  const loops: SubscriptionRelay[] = [];
  const settings = new Map<FunctionName, DeliverySettings & RelayTarget>();
  for (const target of options.targets) {
    const [sub] = await client.getSubscription({ subscription: target.subscription });
    const read = deliverySettings(sub);
    settings.set(target.fn, { ...read, ...target });
    loops.push(new SubscriptionRelay(client, options.pubsub, target, read, leaseSeconds, log, () => stopped));
  }
  const running = loops.map((loop) => loop.run());
  return {
    settings,
    stop: async () => {
      stopped = true;
      loops.forEach((loop) => loop.release());
      await Promise.allSettled(running);
      await Promise.all(loops.map((loop) => loop.acks.flush()));
      await client.close();
    },
  };
}
