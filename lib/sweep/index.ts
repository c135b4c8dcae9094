// The sweep: re-drives stuck rounds and dead letters, re-announces lost arrivals, reports overdue ones.
export { docsToRead, planSweep } from './plan.js';
export type { OverdueBatch, OverdueFile, Redrive, SweepInput, SweepPlan } from './plan.js';
export { runSweep } from './sweep.js';
export type { SweepDeps, SweepOutcome } from './sweep.js';
export { REDRIVE_ATTRIBUTE, SWEEP_ATTRIBUTE, deadLetterAction } from './dead-letters.js';
export type { DeadLetterAction } from './dead-letters.js';
