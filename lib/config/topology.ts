// The deployed topology (config/topology.yaml): one definition read by the local stack, deploy, plan and terraform.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';
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

/** A problem in the topology: a ConfigError naming the topology file (loadTopology gives the path read). */
export class TopologyError extends ConfigError {
  constructor(message: string, file = 'topology') {
    super([{ file, line: 0, message: message.replace(/^topology: /, '') }]);
  }
}

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
  checkClocks(topology);
  return topology;
}

/** The clocks must fit one another and Pub/Sub's limits (retry back-off 0–600 s, 5–100 attempts, ack 10–600 s). */
function checkClocks(topology: Topology): void {
  const { delivery, claims, sweep, functions } = topology;
  const fail = (message: string): never => {
    throw new TopologyError(`topology: ${message}`);
  };
  if (delivery.maxDeliveryAttempts < 5 || delivery.maxDeliveryAttempts > 100) fail('delivery.maxDeliveryAttempts must be 5–100 (Pub/Sub)');
  if (delivery.minimumBackoffSeconds < 0 || delivery.maximumBackoffSeconds > 600 || delivery.minimumBackoffSeconds > delivery.maximumBackoffSeconds) {
    fail('delivery back-off must satisfy 0 ≤ minimumBackoffSeconds ≤ maximumBackoffSeconds ≤ 600 (Pub/Sub)');
  }
  if (delivery.ackDeadlineSeconds < 10 || delivery.ackDeadlineSeconds > 600) fail('delivery.ackDeadlineSeconds must be 10–600 (Pub/Sub)');
  if (claims.leaseSeconds > functions.loader.timeoutSeconds) fail(`claims.leaseSeconds must not exceed the loader's timeoutSeconds (${functions.loader.timeoutSeconds})`);
  checkBatchQuotas(topology, fail);
  if (sweep.readyAfterSeconds < delivery.maximumBackoffSeconds) {
    fail(`sweep.readyAfterSeconds must be at least delivery.maximumBackoffSeconds (${delivery.maximumBackoffSeconds}): a request in retry is not stuck`);
  }
}

/** BigQuery's DML statements per table per 10 s, and load jobs per project per day (quotas page). */
export const BIGQUERY_DML_PER_TABLE_PER_10S = 25;
export const BIGQUERY_LOAD_JOBS_PER_DAY = 100_000;
/** A commit sends `load_metadata` at most two DML statements (its INSERT, and an UPDATE when it replaces earlier loads). */
const DML_PER_COMMIT = 2;

/**
 * The commits every loader instance may start together must keep each table within BigQuery's DML rate, and the
 * project within its daily load jobs at two load jobs a commit (two shapes), at the full rate.
 */
function checkBatchQuotas(topology: Topology, fail: (message: string) => never): void {
  const { batch, functions } = topology;
  const instances = functions.loader.maxInstances;
  const forDml = (instances * DML_PER_COMMIT * 10) / BIGQUERY_DML_PER_TABLE_PER_10S;
  const forLoadJobs = (instances * 86_400 * 2) / BIGQUERY_LOAD_JOBS_PER_DAY;
  const least = Math.max(forDml, forLoadJobs);
  if (!(batch.commitIntervalSeconds >= least)) {
    fail(
      `functions.loader.batch.commitIntervalSeconds must be at least ${Math.ceil(least * 100) / 100} with maxInstances ${instances}: ` +
        `each table takes ${BIGQUERY_DML_PER_TABLE_PER_10S} DML statements per 10 s (a commit sends load_metadata up to ${DML_PER_COMMIT}), ` +
        `and the project ${BIGQUERY_LOAD_JOBS_PER_DAY} load jobs a day (two a commit)`,
    );
  }
}

/** How long a request is retried before it is dead-lettered: the back-off between its attempts, added up. */
export function retryWindowSeconds(delivery: Pick<DeliveryPolicy, 'minimumBackoffSeconds' | 'maximumBackoffSeconds' | 'maxDeliveryAttempts'>): number {
  let total = 0;
  for (let attempt = 1; attempt < delivery.maxDeliveryAttempts; attempt++) {
    total += Math.min(delivery.maximumBackoffSeconds, delivery.minimumBackoffSeconds * 2 ** (attempt - 1));
  }
  return total;
}

export async function loadTopology(path: string, overrides: { project?: string } = {}): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TopologyError(`cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, path);
  }
  try {
    return parseTopology(text, overrides);
  } catch (error) {
    if (error instanceof TopologyError) throw new TopologyError(error.problems[0]!.message, path);
    throw new TopologyError(`not valid YAML: ${(error as Error).message.split('\n')[0]}`, path);
  }
}
