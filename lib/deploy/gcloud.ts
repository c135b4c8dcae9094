// The exact gcloud commands that deploy the functions as terraform defines them, printable as a shell script.
import type { Topology } from '../config/topology.js';
import type { FunctionSpec } from './function-spec.js';
import { functionSpecs, runtimeEnvironment, serviceAccountEmail } from './function-spec.js';

/** One command; `${NAME}` in an argument stands for the output of an earlier step that captured NAME. */
export interface DeployStep {
  argv: string[];
  /** Store the command's trimmed stdout under this name for later steps. */
  capture?: string;
  /** Why the step exists, printed as a comment. */
  why: string;
}

export interface DeployOptions {
  project: string;
  /** What `--source` gets: a directory gcloud uploads, or a `gs://…zip` (what terraform deploys). */
  source: string;
}

/** `--set-env-vars` splits on commas; a value holding one needs gcloud's alternate-delimiter form. */
export function envVarsFlag(env: Record<string, string>): string {
  const pairs = Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  const delimiter = pairs.some((p) => p.includes(',')) ? '@' : ',';
  return delimiter === ',' ? pairs.join(',') : `^@^${pairs.join('@')}`;
}

export function functionDeployArgv(spec: FunctionSpec, options: DeployOptions): string[] {
  const account = serviceAccountEmail(spec.serviceAccountId, options.project);
  return [
    'gcloud', 'functions', 'deploy', spec.name,
    '--gen2',
    `--project=${options.project}`,
    `--region=${spec.region}`,
    `--runtime=${spec.runtime}`,
    `--source=${options.source}`,
    `--entry-point=${spec.entryPoint}`,
    `--trigger-topic=${spec.triggerTopic}`,
    `--trigger-service-account=${account}`,
    `--service-account=${account}`,
    `--set-env-vars=${envVarsFlag(runtimeEnvironment(spec, options.project))}`,
    '--retry',
    `--memory=${spec.memory}`,
    `--timeout=${spec.timeoutSeconds}s`,
    `--max-instances=${spec.maxInstances}`,
    `--concurrency=${spec.concurrency}`,
    ...(spec.cpu === undefined ? [] : [`--cpu=${spec.cpu}`]),
    '--ingress-settings=internal-only',
    '--quiet',
  ];
}

/**
 * A gen2 function's Pub/Sub trigger is an Eventarc trigger that creates its own push subscription; neither
 * gcloud nor terraform can give that subscription a dead-letter policy at deploy time, so it is set after.
 */
function deadLetterSteps(spec: FunctionSpec, topology: Topology, project: string): DeployStep[] {
  const where = [`--project=${project}`];
  const sub = `SUBSCRIPTION_${spec.key.toUpperCase()}`;
  const trigger = `TRIGGER_${spec.key.toUpperCase()}`;
  const { delivery } = topology;
  return [
    {
      why: `the Eventarc trigger of ${spec.name}`,
      capture: trigger,
      argv: ['gcloud', 'functions', 'describe', spec.name, '--gen2', `--region=${spec.region}`, ...where, '--format=value(eventTrigger.trigger)'],
    },
    {
      why: `the push subscription that trigger created`,
      capture: sub,
      argv: ['gcloud', 'eventarc', 'triggers', 'describe', `\${${trigger}}`, ...where, '--format=value(transport.pubsub.subscription)'],
    },
    {
      why: `ack deadline, dead-letter and retry policy of that subscription, as the topology says`,
      argv: [
        'gcloud', 'pubsub', 'subscriptions', 'update', `\${${sub}}`, ...where,
        `--dead-letter-topic=projects/${project}/topics/${topology.topics.deadLetter}`,
        `--max-delivery-attempts=${delivery.maxDeliveryAttempts}`,
        `--ack-deadline=${delivery.ackDeadlineSeconds}`,
        `--min-retry-delay=${delivery.minimumBackoffSeconds}s`,
        `--max-retry-delay=${delivery.maximumBackoffSeconds}s`,
      ],
    },
    {
      why: 'the Pub/Sub service agent acks what it forwards to the dead-letter topic',
      argv: [
        'gcloud', 'pubsub', 'subscriptions', 'add-iam-policy-binding', `\${${sub}}`, ...where,
        '--member=serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com',
        '--role=roles/pubsub.subscriber',
      ],
    },
  ];
}

export function deploySteps(topology: Topology, options: DeployOptions): DeployStep[] {
  const steps: DeployStep[] = [
    {
      why: 'the project number names the Pub/Sub service agent',
      capture: 'PROJECT_NUMBER',
      argv: ['gcloud', 'projects', 'describe', options.project, '--format=value(projectNumber)'],
    },
    {
      why: 'the Pub/Sub service agent may publish to the dead-letter topic',
      argv: [
        'gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', topology.topics.deadLetter, `--project=${options.project}`,
        '--member=serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com',
        '--role=roles/pubsub.publisher',
      ],
    },
  ];
  for (const spec of functionSpecs(topology)) {
    const account = serviceAccountEmail(spec.serviceAccountId, options.project);
    steps.push(
      { why: `deploy ${spec.name} (${spec.triggerTopic} → ${spec.entryPoint})`, argv: functionDeployArgv(spec, options) },
      {
        why: `the trigger's service account may invoke ${spec.name}, nothing else may`,
        argv: [
          'gcloud', 'functions', 'add-invoker-policy-binding', spec.name,
          `--region=${spec.region}`, `--project=${options.project}`, `--member=serviceAccount:${account}`,
        ],
      },
      ...deadLetterSteps(spec, topology, options.project),
    );
  }
  return steps;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const PLACEHOLDER = /\$\{[A-Z_]+\}/;

/** Quotes one argument for a POSIX shell, keeping `${NAME}` placeholders expandable. */
export function shellQuote(arg: string): string {
  if (SAFE.test(arg)) return arg;
  if (PLACEHOLDER.test(arg) && /^[A-Za-z0-9_@%+=:,./${}-]+$/.test(arg)) return `"${arg}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function renderScript(steps: readonly DeployStep[]): string {
  const lines = ['#!/usr/bin/env bash', 'set -euo pipefail'];
  for (const step of steps) {
    const command = step.argv.map(shellQuote).join(' ');
    lines.push(`# ${step.why}`, step.capture ? `${step.capture}=$(${command})` : command);
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces `${NAME}` placeholders with captured values; an unknown name is a bug in the steps. */
export function substitute(arg: string, values: ReadonlyMap<string, string>): string {
  return arg.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`deploy step uses \${${name}} before any step captured it`);
    return value;
  });
}
