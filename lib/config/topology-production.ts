// The production-only parts of the topology (runtime, warehouse, dbt job, schedules, alerts, lifecycle), with defaults.
import { TopologyError } from './topology.js';

export interface BucketLifecycle {
  /** Move objects to NEARLINE this many days after they were written (archive). */
  nearlineAfterDays?: number;
  /** Delete objects this many days after they were written. */
  deleteAfterDays?: number;
  /** Abort resumable/multipart uploads left incomplete this many days (landing). */
  abortIncompleteUploadAfterDays?: number;
}

export interface WarehouseDef {
  dataset: string;
  /** BigQuery location of the dataset, e.g. `EU`. */
  location: string;
}

export interface FirestoreDef {
  database: string;
  location: string;
}

export interface DbtJobDef {
  /** Cloud Run job name. */
  job: string;
  serviceAccount: string;
  memory: string;
  cpu: string;
  timeoutSeconds: number;
  maxRetries: number;
  /** Secret Manager secret holding profiles.yml; mounted as a file, never an env var or a plan value. */
  profileSecret: string;
}

export const SCHEDULE_TARGETS = ['dbtJob'] as const;
export type ScheduleTarget = (typeof SCHEDULE_TARGETS)[number];

export interface ScheduleDef {
  name: string;
  description: string;
  cron: string;
  timeZone: string;
  target: ScheduleTarget;
  /** Container args for the target (the dbt command line after `dbt`). */
  args: string[];
}

/** The sweep: re-drives stuck files, reports overdue ones. Cloud Scheduler ticks it in production, the local stack too. */
export interface SweepDef {
  /** Cron of the Cloud Scheduler job that publishes a tick to the sweep's topic. */
  schedule: string;
  timeZone: string;
  /** How often the local stack publishes a tick (its stand-in for Cloud Scheduler). */
  localIntervalSeconds: number;
  /** A round ready this long with no claim, or an object landed this long with no document, is re-driven. */
  readyAfterSeconds: number;
  /** How many times one message is taken back from the dead letters before it stays for a person. */
  maxRedrives: number;
}

/** A loader's claim: lapses `leaseSeconds` after its last renewal; renewed every third of that while the load runs. */
export interface ClaimsDef {
  leaseSeconds: number;
}

/**
 * The loader's group commit (`functions.loader.batch`): files readied while a commit runs go together in the next one,
 * up to these limits. A lone file never waits for company; on BigQuery, an instance starts a commit at most once per
 * `commitIntervalSeconds`, which with `maxInstances` keeps every table within BigQuery's DML rate and the project
 * within its daily load jobs (checked when the topology is read).
 */
export interface BatchDef {
  maxFiles: number;
  maxBytes: number;
  commitIntervalSeconds: number;
}

export interface AlertsDef {
  /** Email addresses notified by every alert policy (may be empty: the policies still open incidents). */
  emails: string[];
  /** Fire when the dead-letter hold subscription has more than this many messages … */
  deadLetterBacklogThreshold: number;
  /** … for this long. */
  deadLetterBacklogSeconds: number;
  /** The loader logs one JSON line `{"event": <this>, …}` per failed load; a log-based metric counts them. */
  failedLoadLogEvent: string;
  failedLoadThreshold: number;
  /** The sweep logs one line per file waiting past its mapping's max_wait, and per batch key past expected_by. */
  overdueFileLogEvent: string;
  overdueBatchLogEvent: string;
}

export interface ProductionDef {
  runtime: string;
  warehouse: WarehouseDef;
  firestore: FirestoreDef;
  /** Pull subscription on the dead-letter topic that holds dead letters for inspection and replay. */
  deadLetterSubscription: string;
  /** The sweep's own pull subscription on the dead-letter topic: what it re-drives (the hold keeps every dead letter). */
  deadLetterSweepSubscription: string;
  dbt: DbtJobDef;
  schedules: ScheduleDef[];
  sweep: SweepDef;
  claims: ClaimsDef;
  batch: BatchDef;
  alerts: AlertsDef;
}

type Raw = Record<string, any>;

function field<T>(raw: Raw | undefined, key: string, at: string, kind: 'string' | 'number' | 'boolean', fallback: T): T {
  const value = raw?.[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== kind) throw new TopologyError(`topology: ${at}.${key} must be a ${kind}`);
  return value as T;
}

function strings(raw: Raw | undefined, key: string, at: string): string[] {
  const value = raw?.[key] ?? [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TopologyError(`topology: ${at}.${key} must be a list of strings`);
  }
  return value as string[];
}

/** A whole number of at least `min`, or the default when absent. */
function whole(raw: Raw | undefined, key: string, at: string, fallback: number, min: number): number {
  const value = field(raw, key, at, 'number', fallback);
  if (!Number.isInteger(value) || value < min) throw new TopologyError(`topology: ${at}.${key} must be a whole number ≥ ${min}, got ${value}`);
  return value;
}

function parseBatch(raw: Raw | undefined): BatchDef {
  const at = 'functions.loader.batch';
  const maxFiles = whole(raw, 'maxFiles', at, 1000, 1);
  // BigQuery takes at most 10,000 source URIs in one load job.
  if (maxFiles > 10_000) throw new TopologyError(`topology: ${at}.maxFiles must be at most 10000 (BigQuery's source URIs per load job), got ${maxFiles}`);
  return { maxFiles, maxBytes: whole(raw, 'maxBytes', at, 10 * 1024 ** 3, 1), commitIntervalSeconds: field(raw, 'commitIntervalSeconds', at, 'number', 10) };
}

export function parseLifecycle(raw: Raw | undefined, at: string): BucketLifecycle {
  const out: BucketLifecycle = {};
  for (const key of ['nearlineAfterDays', 'deleteAfterDays', 'abortIncompleteUploadAfterDays'] as const) {
    const days = field<number | undefined>(raw, key, `${at}.lifecycle`, 'number', undefined);
    if (days !== undefined) {
      if (!Number.isInteger(days) || days < 1) throw new TopologyError(`topology: ${at}.lifecycle.${key} must be a whole number ≥ 1`);
      out[key] = days;
    }
  }
  return out;
}

function parseSchedule(raw: Raw, at: string): ScheduleDef {
  const target = field(raw, 'target', at, 'string', 'dbtJob');
  if (!(SCHEDULE_TARGETS as readonly string[]).includes(target)) {
    throw new TopologyError(`topology: ${at}.target must be one of ${SCHEDULE_TARGETS.join(', ')}, got "${target}"`);
  }
  const name = field(raw, 'name', at, 'string', '');
  const cron = field(raw, 'cron', at, 'string', '');
  if (!name || !cron) throw new TopologyError(`topology: ${at} needs a name and a cron expression`);
  return {
    name,
    description: field(raw, 'description', at, 'string', ''),
    cron,
    timeZone: field(raw, 'timeZone', at, 'string', 'Etc/UTC'),
    target: target as ScheduleTarget,
    args: strings(raw, 'args', at),
  };
}

export function parseProduction(raw: Raw, deadLetterTopic: string): ProductionDef {
  const warehouse = raw.warehouse as Raw | undefined;
  const firestore = raw.firestore as Raw | undefined;
  const dbt = raw.dbt as Raw | undefined;
  const alerts = raw.alerts as Raw | undefined;
  const sweep = raw.sweep as Raw | undefined;
  const schedules = raw.schedules ?? [];
  if (!Array.isArray(schedules)) throw new TopologyError('topology: schedules must be a list');
  return {
    runtime: field(raw, 'runtime', '(root)', 'string', 'nodejs24'),
    warehouse: {
      dataset: field(warehouse, 'dataset', 'warehouse', 'string', 'landfall'),
      location: field(warehouse, 'location', 'warehouse', 'string', 'EU'),
    },
    firestore: {
      database: field(firestore, 'database', 'firestore', 'string', '(default)'),
      location: field(firestore, 'location', 'firestore', 'string', 'eur3'),
    },
    deadLetterSubscription: field(raw.delivery as Raw, 'deadLetterSubscription', 'delivery', 'string', `${deadLetterTopic}-hold`),
    deadLetterSweepSubscription: field(raw.delivery as Raw, 'deadLetterSweepSubscription', 'delivery', 'string', `${deadLetterTopic}-sweep`),
    dbt: {
      job: field(dbt, 'job', 'dbt', 'string', 'landfall-dbt'),
      serviceAccount: field(dbt, 'serviceAccount', 'dbt', 'string', 'landfall-dbt'),
      memory: field(dbt, 'memory', 'dbt', 'string', '2Gi'),
      cpu: field(dbt, 'cpu', 'dbt', 'string', '1'),
      timeoutSeconds: field(dbt, 'timeoutSeconds', 'dbt', 'number', 3600),
      maxRetries: field(dbt, 'maxRetries', 'dbt', 'number', 1),
      profileSecret: field(dbt, 'profileSecret', 'dbt', 'string', 'landfall-dbt-profile'),
    },
    schedules: schedules.map((s: Raw, i: number) => parseSchedule(s, `schedules[${i}]`)),
    sweep: {
      schedule: field(sweep, 'schedule', 'sweep', 'string', '* * * * *'),
      timeZone: field(sweep, 'timeZone', 'sweep', 'string', 'Etc/UTC'),
      localIntervalSeconds: whole(sweep, 'localIntervalSeconds', 'sweep', 60, 1),
      readyAfterSeconds: whole(sweep, 'readyAfterSeconds', 'sweep', 60, 1),
      maxRedrives: whole(sweep, 'maxRedrives', 'sweep', 3, 0),
    },
    claims: { leaseSeconds: whole(raw.claims as Raw | undefined, 'leaseSeconds', 'claims', 60, 3) },
    // Written beside the loader's concurrency; a parsed topology written back out (the local stack's copy) has it on top.
    batch: parseBatch((raw.functions?.loader?.batch ?? raw.batch) as Raw | undefined),
    alerts: {
      emails: strings(alerts, 'emails', 'alerts'),
      deadLetterBacklogThreshold: field(alerts, 'deadLetterBacklogThreshold', 'alerts', 'number', 0),
      deadLetterBacklogSeconds: field(alerts, 'deadLetterBacklogSeconds', 'alerts', 'number', 300),
      failedLoadLogEvent: field(alerts, 'failedLoadLogEvent', 'alerts', 'string', 'load_failed'),
      failedLoadThreshold: field(alerts, 'failedLoadThreshold', 'alerts', 'number', 0),
      overdueFileLogEvent: field(alerts, 'overdueFileLogEvent', 'alerts', 'string', 'file_overdue'),
      overdueBatchLogEvent: field(alerts, 'overdueBatchLogEvent', 'alerts', 'string', 'batch_overdue'),
    },
  };
}
