// What a push subscription is, as the relay reads it: where each function is pushed and how wide, the delivery
// settings the subscription itself carries, Pub/Sub's back-off between attempts, and a pulled message's shape.
import type { protos } from '@google-cloud/pubsub';
import { subscriptionName, type FunctionName, type Topology } from '../lib/config/topology.js';
import { pushEndpoint } from './bootstrap.js';

/** One function's subscription, where it is pushed, and how many pushes may be open at once. */
export interface RelayTarget {
  fn: FunctionName;
  /** projects/P/subscriptions/S */
  subscription: string;
  endpoint: string;
  /** maxInstances × concurrency: the requests production would run at once. */
  slots: number;
}

/** What the relay read from the subscription itself, as a production push subscription carries it. */
export interface DeliverySettings {
  ackDeadlineSeconds: number;
  minimumBackoffSeconds: number;
  maximumBackoffSeconds: number;
  maxDeliveryAttempts: number | null;
  deadLetterTopic: string | null;
}

export function relayTargets(topology: Topology, functionPorts: Partial<Record<FunctionName, number>>): RelayTarget[] {
  return Object.entries(functionPorts).map(([name, port]) => {
    const fn = name as FunctionName;
    const def = topology.functions[fn];
    return {
      fn,
      subscription: `projects/${topology.project}/subscriptions/${subscriptionName(topology, fn)}`,
      endpoint: pushEndpoint(topology, fn, port!),
      slots: def.maxInstances * def.concurrency,
    };
  });
}

/** Pub/Sub's exponential back-off: the minimum, doubled per failed attempt, capped at the maximum. */
export function backoffSeconds(settings: Pick<DeliverySettings, 'minimumBackoffSeconds' | 'maximumBackoffSeconds'>, attempt: number): number {
  const delay = settings.minimumBackoffSeconds * 2 ** Math.max(0, attempt - 1);
  return Math.min(settings.maximumBackoffSeconds, delay);
}

function seconds(duration: { seconds?: unknown; nanos?: unknown } | null | undefined, fallback: number): number {
  if (!duration) return fallback;
  return Number(duration.seconds ?? 0) + Number(duration.nanos ?? 0) / 1e9;
}

/** A message as a pull hands it over. */
export type Received = { ackId?: string | null; deliveryAttempt?: number | null; message?: { data?: Uint8Array | string | null; attributes?: Record<string, string> | null; messageId?: string | null; publishTime?: { seconds?: unknown; nanos?: unknown } | null } | null };

export function publishTimeIso(time: { seconds?: unknown; nanos?: unknown } | null | undefined): string {
  return new Date(seconds(time, 0) * 1000).toISOString();
}

/** A subscription's delivery settings, with Pub/Sub's defaults where it sets none. */
export function deliverySettings(sub: protos.google.pubsub.v1.ISubscription): DeliverySettings {
  return {
    ackDeadlineSeconds: sub.ackDeadlineSeconds ?? 10,
    minimumBackoffSeconds: seconds(sub.retryPolicy?.minimumBackoff, 10),
    maximumBackoffSeconds: seconds(sub.retryPolicy?.maximumBackoff, 600),
    maxDeliveryAttempts: sub.deadLetterPolicy?.maxDeliveryAttempts ?? null,
    deadLetterTopic: sub.deadLetterPolicy?.deadLetterTopic ?? null,
  };
}
