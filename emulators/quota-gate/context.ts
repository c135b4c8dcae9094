// What every request handler of the gate shares: the emulator, the quota state, the jobs seen, the bill.
import type { Ledger, JobKind } from './bill.js';
import type { ChargeOptions } from './bytes.js';
import type { JobRegistry } from './jobs.js';
import type { JobPlan } from './plan.js';
import type { Quotas } from './quotas.js';
import type { Upstream } from './upstream.js';

/** A job call about to reach the emulator, as `beforeForward` sees it. */
export interface ForwardedCall {
  method: 'jobs.insert' | 'jobs.query';
  project: string;
  kind: JobKind;
  jobId?: string;
  sql?: string;
}

export interface GateContext {
  upstream: Upstream;
  jobs: JobRegistry;
  /** The current quota state (reset() starts a new one). */
  quotas(): Quotas;
  ledger: Ledger;
  gateUrl(): string;
  measureBytes: boolean;
  /** The storage block size of clustered tables, for block pruning (pruning.ts). */
  clusterBlockBytes: number;
  /** The location a job gets when its request names none (BigQuery's default for a project without one). */
  defaultLocation: string;
  /**
   * Awaited after a job call passed every limit and is counted as running, before it is forwarded: tests hold it here
   * to have calls in flight at once (the emulator itself runs one request at a time).
   */
  beforeForward?: (call: ForwardedCall) => Promise<void> | void;
}

/** Records each admitted DML statement in the bill with its table's 10 s window count. */
export function billDml(ctx: GateContext, plan: JobPlan, inWindow: number[]): void {
  plan.quota.dml.forEach(({ table, kind }, i) => ctx.ledger.dml(table, kind, inWindow[i] ?? 0));
}

/** How a job's statements are charged: measured or not, the block size, the job's parameters. */
export function chargeOptions(ctx: GateContext, plan: JobPlan): ChargeOptions {
  return { measure: ctx.measureBytes, blockBytes: ctx.clusterBlockBytes, parameters: plan.parameters };
}
