// The deployed topology (config/topology.yaml): one definition read by the local stack, deploy, plan and terraform.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { parseLifecycle, parseProduction } from './topology-production.js';
import type { BucketLifecycle, ProductionDef } from './topology-production.js';

export * from './topology-production.js';

export const FUNCTION_NAMES = ['matcher', 'loader', 'dbtTrigger', 'sweep'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const TOPIC_ROLES = ['arrivals', 'loadRequests', 'loadEvents', 'deadLetter', 'sweepTicks'] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];

export const BUCKET_ROLES = ['landing', 'archive', 'failed'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];

export interface BucketDef {
  name: string;
  /** Objects are watched (landing) or written (archive, failed) under this prefix; '' for the whole bucket. */
  prefix: string;
  /** Object lifecycle rules (production buckets). */
  lifecycle: BucketLifecycle;
}

export interface DeliveryPolicy {
  ackDeadlineSeconds: number;
  minimumBackoffSeconds: number;
  maximumBackoffSeconds: number;
  maxDeliveryAttempts: number;
  retainAckedMessages: boolean;
  messageRetentionSeconds: number;
}

export interface FunctionDef {
  /** Deployed function name (lowercase, hyphens); defaults to `landfall-<kebab-case key>`. */
  name: string;
  entryPoint: string;
  trigger: Exclude<TopicRole, 'deadLetter'>;
  memory: string;
  timeoutSeconds: number;
  maxInstances: number;
  /** Requests one instance serves at once (Cloud Run concurrency); more than 1 needs a whole `cpu`. */
  concurrency: number;
  /** Cloud Run CPUs of an instance; absent: the default that comes with the memory. */
  cpu: string | undefined;
  serviceAccount: string;
}

export interface Topology extends ProductionDef {
  project: string;
  region: string;
  buckets: Record<BucketRole, BucketDef>;
  topics: Record<TopicRole, string>;
  delivery: DeliveryPolicy;
  functions: Record<FunctionName, FunctionDef>;
}

export class TopologyError extends Error {}

/** The push subscription that feeds one function: `<topic>-<function>`. */
export function subscriptionName(topology: Topology, fn: FunctionName): string {
  return `${topology.topics[topology.functions[fn].trigger]}-${fn.toLowerCase()}`;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function need<T>(value: T | undefined | null, path: string, kind: string): T {
  if (value === undefined || value === null || (kind !== 'object' && typeof value !== kind)) {
    throw new TopologyError(`topology: ${path} must be a ${kind}`);
  }
  return value;
}

export function parseTopology(text: string, overrides: { project?: string } = {}): Topology {
  const raw = need(parse(text) as Record<string, any> | null, '(root)', 'object');
  const buckets = need(raw.buckets, 'buckets', 'object');
  const topics = need(raw.topics, 'topics', 'object');
  const delivery = need(raw.delivery, 'delivery', 'object');
  const functions = need(raw.functions, 'functions', 'object');
  const topology: Topology = {
    project: overrides.project ?? need(raw.project, 'project', 'string'),
    region: need(raw.region, 'region', 'string'),
    buckets: Object.fromEntries(
      BUCKET_ROLES.map((role) => {
        const def = need(buckets[role], `buckets.${role}`, 'object');
        return [
          role,
          {
            name: need(def.name, `buckets.${role}.name`, 'string'),
            prefix: def.prefix ?? '',
            lifecycle: parseLifecycle(def.lifecycle, `buckets.${role}`),
          },
        ];
      }),
    ) as Record<BucketRole, BucketDef>,
    topics: Object.fromEntries(TOPIC_ROLES.map((role) => [role, need(topics[role], `topics.${role}`, 'string')])) as Record<
      TopicRole,
      string
    >,
    delivery: {
      ackDeadlineSeconds: need(delivery.ackDeadlineSeconds, 'delivery.ackDeadlineSeconds', 'number'),
      minimumBackoffSeconds: need(delivery.minimumBackoffSeconds, 'delivery.minimumBackoffSeconds', 'number'),
      maximumBackoffSeconds: need(delivery.maximumBackoffSeconds, 'delivery.maximumBackoffSeconds', 'number'),
      maxDeliveryAttempts: need(delivery.maxDeliveryAttempts, 'delivery.maxDeliveryAttempts', 'number'),
      retainAckedMessages: need(delivery.retainAckedMessages, 'delivery.retainAckedMessages', 'boolean'),
      messageRetentionSeconds: need(delivery.messageRetentionSeconds, 'delivery.messageRetentionSeconds', 'number'),
    },
    functions: Object.fromEntries(
      FUNCTION_NAMES.map((fn) => {
        const def = need(functions[fn], `functions.${fn}`, 'object');
        const at = `functions.${fn}`;
        const trigger = need(def.trigger, `${at}.trigger`, 'string');
        if (!TOPIC_ROLES.includes(trigger) || trigger === 'deadLetter') {
          throw new TopologyError(`topology: ${at}.trigger must name a topic role other than deadLetter, got "${trigger}"`);
        }
        const concurrency = def.concurrency === undefined ? 1 : need(def.concurrency, `${at}.concurrency`, 'number');
        const cpu = def.cpu === undefined ? undefined : String(def.cpu);
        if (!Number.isInteger(concurrency) || concurrency < 1) throw new TopologyError(`topology: ${at}.concurrency must be a whole number ≥ 1`);
        if (concurrency > 1 && !(Number(cpu) >= 1)) {
          throw new TopologyError(`topology: ${at}.concurrency ${concurrency} needs cpu of at least 1 (Cloud Run serves concurrent requests only with a whole CPU)`);
        }
        return [
          fn,
          {
            name: def.name === undefined ? `landfall-${kebab(fn)}` : need(def.name, `${at}.name`, 'string'),
            entryPoint: need(def.entryPoint, `${at}.entryPoint`, 'string'),
            trigger,
            memory: need(def.memory, `${at}.memory`, 'string'),
            timeoutSeconds: need(def.timeoutSeconds, `${at}.timeoutSeconds`, 'number'),
            maxInstances: need(def.maxInstances, `${at}.maxInstances`, 'number'),
            concurrency,
            cpu,
            serviceAccount: need(def.serviceAccount, `${at}.serviceAccount`, 'string'),
          },
        ];
      }),
    ) as Record<FunctionName, FunctionDef>,
    ...parseProduction(raw, need(topics.deadLetter, 'topics.deadLetter', 'string')),
  };
  return topology;
}

export async function loadTopology(path: string, overrides: { project?: string } = {}): Promise<Topology> {
  return parseTopology(await readFile(path, 'utf8'), overrides);
}
