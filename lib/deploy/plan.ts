// The orchestration plan (seed 003's --dump-orchestration-plan): what is deployed, triggered, scheduled and alerted; never a secret value.
import type { TableMapping } from '../config/mapping.js';
import type { FunctionName, Topology } from '../config/topology.js';
import { FUNCTION_NAMES, subscriptionName } from '../config/topology.js';
import { deploySteps, renderScript } from './gcloud.js';
import { functionSpecs } from './function-spec.js';

export const PLAN_VERSION = 1;

/** A dbt batch as the plan shows it: which tables complete a batch key, and what dbt then builds. */
export interface PlanBatch {
  name: string;
  tables: readonly string[];
  select: string;
  /** When dbt runs for a key (all tables loaded, or after each load, debounced). */
  policy?: unknown;
}

export interface PlanInput {
  topology: Topology;
  mappings: readonly TableMapping[];
  batches: readonly PlanBatch[];
  /** Where the deployed source comes from, for the deploy commands. */
  source: string;
}

/** Stands where a secret's value would be: the plan names secrets, it never holds them. */
export const SECRET_PLACEHOLDER = '(Secret Manager; value never shown)';

function tables(mappings: readonly TableMapping[]): unknown[] {
  return mappings.map((m) => ({
    pattern: m.pattern,
    table: m.table,
    batchKey: 'the * part of the file name',
    goFile: m.goFile ?? null,
    trailer: m.trailer ?? null,
    delimiter: m.delimiter,
    reupload: m.reupload,
    definedAt: `${m.source.file}:${m.source.line}`,
  }));
}

function subscriptions(topology: Topology): unknown[] {
  const { delivery } = topology;
  const perFunction = FUNCTION_NAMES.map((fn: FunctionName) => ({
    name: subscriptionName(topology, fn),
    topic: topology.topics[topology.functions[fn].trigger],
    delivers: `push → ${topology.functions[fn].name}`,
    production: "created by the function's Eventarc trigger (Google names it); deploy then applies the policy below",
    ackDeadlineSeconds: delivery.ackDeadlineSeconds,
    retry: { minimumBackoffSeconds: delivery.minimumBackoffSeconds, maximumBackoffSeconds: delivery.maximumBackoffSeconds },
    deadLetter: { topic: topology.topics.deadLetter, maxDeliveryAttempts: delivery.maxDeliveryAttempts },
  }));
  const hold = {
    name: topology.deadLetterSubscription,
    topic: topology.topics.deadLetter,
    delivers: 'pull (held for inspection and replay)',
    retainAckedMessages: delivery.retainAckedMessages,
    messageRetentionSeconds: delivery.messageRetentionSeconds,
  };
  const sweep = {
    name: topology.deadLetterSweepSubscription,
    topic: topology.topics.deadLetter,
    delivers: 'pull by the sweep, which re-drives each dead letter to its topic',
  };
  return [...perFunction, hold, sweep];
}

function functions(topology: Topology): unknown[] {
  return functionSpecs(topology).map((s) => ({
    name: s.name,
    entryPoint: s.entryPoint,
    runtime: s.runtime,
    trigger: { topic: s.triggerTopic, retry: s.retry },
    memory: s.memory,
    timeoutSeconds: s.timeoutSeconds,
    maxInstances: s.maxInstances,
    concurrency: s.concurrency,
    ...(s.cpu === undefined ? {} : { cpu: s.cpu }),
    serviceAccount: s.serviceAccountId,
    environment: { ...s.environment, GCP_PROJECT: '(the project)' },
  }));
}

function schedulesAndAlerts(topology: Topology): Record<string, unknown> {
  const { alerts, dbt, sweep } = topology;
  const targets = alerts.emails.length > 0 ? alerts.emails.map((e) => `email:${e}`) : ['(no notification channel: incidents only)'];
  return {
    schedules: [
      ...topology.schedules.map((s) => ({ ...s, runs: `Cloud Run job ${dbt.job}`, command: ['dbt', ...s.args] })),
      {
        name: `${topology.functions.sweep.name}-tick`,
        cron: sweep.schedule,
        timeZone: sweep.timeZone,
        runs: `a tick on ${topology.topics.sweepTicks} → ${topology.functions.sweep.name}`,
        locally: `every ${sweep.localIntervalSeconds}s (the local stack's relay)`,
      },
    ],
    alerts: [
      {
        name: 'dead-letter backlog',
        condition: `${topology.deadLetterSubscription} holds > ${alerts.deadLetterBacklogThreshold} messages for ${alerts.deadLetterBacklogSeconds}s`,
        targets,
      },
      {
        name: 'failed loads',
        condition: `log-based metric: loader logs {"event":"${alerts.failedLoadLogEvent}"} more than ${alerts.failedLoadThreshold} time(s)`,
        targets,
      },
      ...[
        ['overdue files', alerts.overdueFileLogEvent, "a file waits past its mapping's max_wait"],
        ['overdue batches', alerts.overdueBatchLogEvent, "a batch key is not complete by its batch's expected_by"],
      ].map(([name, event, what]) => ({ name, condition: `log-based metric: sweep logs {"event":"${event}"} (${what})`, targets })),
    ],
  };
}

export function buildPlan(input: PlanInput): Record<string, unknown> {
  const { topology } = input;
  const { dbt } = topology;
  const project = topology.project;
  return {
    v: PLAN_VERSION,
    project,
    region: topology.region,
    buckets: topology.buckets,
    tables: tables(input.mappings),
    batches: input.batches.map((b) => ({ name: b.name, tables: [...b.tables], dbtSelect: b.select, runs: b.policy ?? null })),
    topics: topology.topics,
    subscriptions: subscriptions(topology),
    functions: functions(topology),
    dbt: {
      job: dbt.job,
      image: '(terraform variable dbt_image)',
      serviceAccount: dbt.serviceAccount,
      memory: dbt.memory,
      cpu: dbt.cpu,
      timeoutSeconds: dbt.timeoutSeconds,
      maxRetries: dbt.maxRetries,
      profile: { secret: dbt.profileSecret, value: SECRET_PLACEHOLDER },
    },
    warehouse: topology.warehouse,
    firestore: topology.firestore,
    ...schedulesAndAlerts(topology),
    deployCommands: renderScript(deploySteps(topology, { project, source: input.source })).trimEnd().split('\n'),
  };
}
