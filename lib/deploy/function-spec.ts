// What each deployed function is, derived once from the topology: the gcloud commands, the plan and terraform's tfvars all use it.
import { FUNCTION_NAMES } from '../config/topology.js';
import type { FunctionName, Topology } from '../config/topology.js';

export interface FunctionSpec {
  key: FunctionName;
  name: string;
  entryPoint: string;
  runtime: string;
  region: string;
  triggerTopic: string;
  /** Account id (before the `@`); the email needs the project. */
  serviceAccountId: string;
  memory: string;
  timeoutSeconds: number;
  maxInstances: number;
  /** Requests one instance serves at once. */
  concurrency: number;
  /** CPUs of an instance, when the topology sets them (needed for concurrency above 1). */
  cpu: string | undefined;
  /** Pub/Sub-triggered functions always retry: a thrown error means "try again later" (ARCHITECTURE.md). */
  retry: true;
  /** Env vars that do not depend on the project; GCP_PROJECT is added where the project is known. */
  environment: Record<string, string>;
}

/** Paths inside the deployed source: config/ travels with the code. */
const DEPLOYED_PATHS = {
  TOPOLOGY_PATH: 'config/topology.yaml',
  TABLE_CONFIG_PATH: 'config/tables',
  BATCH_CONFIG_PATH: 'config/batches',
} as const;

export function functionEnvironment(topology: Topology): Record<string, string> {
  return { LOADER_BACKEND: 'bigquery', BQ_DATASET: topology.warehouse.dataset, ...DEPLOYED_PATHS };
}

export function functionSpecs(topology: Topology): FunctionSpec[] {
  return FUNCTION_NAMES.map((key) => {
    const def = topology.functions[key];
    return {
      key,
      name: def.name,
      entryPoint: def.entryPoint,
      runtime: topology.runtime,
      region: topology.region,
      triggerTopic: topology.topics[def.trigger],
      serviceAccountId: def.serviceAccount,
      memory: def.memory,
      timeoutSeconds: def.timeoutSeconds,
      maxInstances: def.maxInstances,
      concurrency: def.concurrency,
      cpu: def.cpu,
      retry: true,
      environment: functionEnvironment(topology),
    };
  });
}

export function serviceAccountEmail(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** The full runtime environment of a deployed function: the static part plus the project. */
export function runtimeEnvironment(spec: FunctionSpec, project: string): Record<string, string> {
  return { ...spec.environment, GCP_PROJECT: project };
}
