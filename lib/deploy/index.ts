// Deployment: function specs, gcloud deploy steps, terraform's tfvars and the orchestration plan, all from the one topology.
export { functionEnvironment, functionSpecs, runtimeEnvironment, serviceAccountEmail } from './function-spec.js';
export type { FunctionSpec } from './function-spec.js';
export { deploySteps, envVarsFlag, functionDeployArgv, renderScript, shellQuote, substitute } from './gcloud.js';
export type { DeployOptions, DeployStep } from './gcloud.js';
export { runSteps } from './run-steps.js';
export type { StepRunner } from './run-steps.js';
export { TFVARS_PATH, renderTfvars, topologyTfvars } from './tfvars.js';
export type { TopologyTfvars } from './tfvars.js';
export { PLAN_VERSION, SECRET_PLACEHOLDER, buildPlan } from './plan.js';
export type { PlanBatch, PlanInput } from './plan.js';
export { renderPlanText } from './plan-text.js';
