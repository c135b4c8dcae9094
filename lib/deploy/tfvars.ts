// Generates terraform/topology.auto.tfvars.json from the topology, so terraform deploys what the topology says.
import type { BucketLifecycle, BucketRole, Topology } from '../config/topology.js';
import { BUCKET_ROLES } from '../config/topology.js';
import { functionSpecs } from './function-spec.js';

export const TFVARS_PATH = 'terraform/topology.auto.tfvars.json';

/** Terraform's side of the topology, in snake_case; the project is not in it (it comes from terraform.tfvars). */
export interface TopologyTfvars {
  topology: Record<string, unknown>;
}

function lifecycle(rules: BucketLifecycle): Record<string, number | null> {
  return {
    nearline_after_days: rules.nearlineAfterDays ?? null,
    delete_after_days: rules.deleteAfterDays ?? null,
    abort_incomplete_upload_after_days: rules.abortIncompleteUploadAfterDays ?? null,
  };
}

function buckets(topology: Topology): Record<BucketRole, unknown> {
  return Object.fromEntries(
    BUCKET_ROLES.map((role) => {
      const def = topology.buckets[role];
      return [role, { name: def.name, prefix: def.prefix, lifecycle: lifecycle(def.lifecycle) }];
    }),
  ) as Record<BucketRole, unknown>;
}

function functions(topology: Topology): Record<string, unknown> {
  return Object.fromEntries(
    functionSpecs(topology).map((spec) => [
      spec.key,
      {
        name: spec.name,
        entry_point: spec.entryPoint,
        trigger_topic: spec.triggerTopic,
        service_account: spec.serviceAccountId,
        memory: spec.memory,
        timeout_seconds: spec.timeoutSeconds,
        max_instances: spec.maxInstances,
        concurrency: spec.concurrency,
        cpu: spec.cpu ?? null,
        retry: spec.retry,
        environment: spec.environment,
      },
    ]),
  );
}

export function topologyTfvars(topology: Topology): TopologyTfvars {
  const { delivery, dbt, alerts, sweep } = topology;
  return {
    topology: {
      region: topology.region,
      runtime: topology.runtime,
      buckets: buckets(topology),
      topics: {
        arrivals: topology.topics.arrivals,
        load_requests: topology.topics.loadRequests,
        load_events: topology.topics.loadEvents,
        dead_letter: topology.topics.deadLetter,
        sweep_ticks: topology.topics.sweepTicks,
      },
      dead_letter_subscription: topology.deadLetterSubscription,
      dead_letter_sweep_subscription: topology.deadLetterSweepSubscription,
      delivery: {
        ack_deadline_seconds: delivery.ackDeadlineSeconds,
        minimum_backoff_seconds: delivery.minimumBackoffSeconds,
        maximum_backoff_seconds: delivery.maximumBackoffSeconds,
        max_delivery_attempts: delivery.maxDeliveryAttempts,
        retain_acked_messages: delivery.retainAckedMessages,
        message_retention_seconds: delivery.messageRetentionSeconds,
      },
      functions: functions(topology),
      warehouse: { dataset: topology.warehouse.dataset, location: topology.warehouse.location },
      firestore: { database: topology.firestore.database, location: topology.firestore.location },
      dbt: {
        job: dbt.job,
        service_account: dbt.serviceAccount,
        memory: dbt.memory,
        cpu: dbt.cpu,
        timeout_seconds: dbt.timeoutSeconds,
        max_retries: dbt.maxRetries,
        profile_secret_id: dbt.profileSecret,
      },
      schedules: topology.schedules.map((s) => ({
        name: s.name,
        description: s.description,
        cron: s.cron,
        time_zone: s.timeZone,
        target: s.target,
        args: s.args,
      })),
      sweep: { schedule: sweep.schedule, time_zone: sweep.timeZone },
      alerts: {
        emails: alerts.emails,
        dead_letter_backlog_threshold: alerts.deadLetterBacklogThreshold,
        dead_letter_backlog_seconds: alerts.deadLetterBacklogSeconds,
        failed_load_log_event: alerts.failedLoadLogEvent,
        failed_load_threshold: alerts.failedLoadThreshold,
        overdue_file_log_event: alerts.overdueFileLogEvent,
        overdue_batch_log_event: alerts.overdueBatchLogEvent,
      },
    },
  };
}

/** The committed file's exact text: stable key order, two-space indent, trailing newline. */
export function renderTfvars(topology: Topology): string {
  return `${JSON.stringify(topologyTfvars(topology), null, 2)}\n`;
}
