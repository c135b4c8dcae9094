// The sweep: re-drives rounds that made no progress past the lease, re-announces lost arrivals, reports overdue ones.
export { docsToRead, planSweep } from './plan.js';
export type { OverdueBatch, OverdueFile, Redrive, SweepInput, SweepPlan } from './plan.js';
export { runSweep, SWEEP_ATTRIBUTE } from './sweep.js';
export type { SweepDeps, SweepOutcome } from './sweep.js';
