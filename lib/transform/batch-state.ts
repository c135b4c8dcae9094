// The state of one (batch, batch key) and its pure transitions: which load events count, and when dbt must run.

export const MEMBER_STATUSES = ['loaded', 'failed'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const RUN_STATES = ['running', 'success', 'error'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** What the trigger needs of a batch definition (config/batches/*.yaml). */
export interface TriggerBatch {
  name: string;
  tables: readonly string[];
  select: string;
  policy: { kind: 'all_tables' } | { kind: 'each_load'; debounceSeconds: number };
  /**
   * Whether files in different folders are different batches (`client_a/trades_1.csv` and `client_b/trades_1.csv`
   * build apart: the batch key is `client_a/1`), or one (dated folders holding one business date each).
   */
  perFolder: boolean;
  /** all_tables: how long after the first member loaded a key the sweep reports it overdue if still incomplete. */
  expectedBySeconds?: number;
}

/** The latest load event of one member table for this key. */
export interface MemberState {
  loadId: string;
  status: MemberStatus;
  rows: number;
  file: string;
  error: string | null;
  /** When the load finished (or the event was published): orders events that arrive out of order. */
  at: string;
}

/** The latest dbt run of this key: claimed in the same transaction that decided it, so it is claimed once. */
export interface RunClaim {
  /** 1, 2, … per (batch, key); the run record's id derives from it, so a takeover lands on the same record. */
  seq: number;
  state: RunState;
  /** The Pub/Sub message whose handler runs it: a redelivery of that message means its handler died. */
  claimedBy: string;
  /** After this a `running` claim is abandoned and any event may take it over. */
  leaseUntil: string;
  /** The member load ids this run covers; a member with another load id is new since. */
  loadIds: Record<string, string>;
  startedAt: string;
  finishedAt: string | null;
}

export interface BatchKeyState {
  batch: string;
  batchKey: string;
  members: Record<string, MemberState>;
  /** each_load: when the quiet period ends; null when no load awaits a run. */
  dueAt: string | null;
  /** each_load: the message whose handler waits for `dueAt` (the newest load's). */
  waiter: string | null;
  run: RunClaim | null;
  updatedAt: string;
  /** When the sweep reported the key overdue (once per key). */
  overdueReportedAt?: string;
}

/** One load event, as the trigger sees it. */
export interface TriggerEvent {
  table: string;
  loadId: string;
  status: 'loaded' | 'failed' | 'skipped' | 'superseded';
  rows: number;
  file: string;
  error: string | null;
  at: string;
  /** The Pub/Sub message id: the same on a redelivery, new on a re-publish. */
  messageId: string;
}

/** What the handler does next. */
export type Decision =
  | { kind: 'fire'; seq: number; takeover: boolean }
  | { kind: 'wait'; until: string }
  | { kind: 'none'; reason: string };

export interface Step {
  /** The state to write, or undefined when nothing changed (no write at all). */
  state: BatchKeyState | undefined;
  decision: Decision;
}

export function emptyState(batch: string, batchKey: string, now: string): BatchKeyState {
  return { batch, batchKey, members: {}, dueAt: null, waiter: null, run: null, updatedAt: now };
}

/** Does the event say something new about its member? Duplicates and stale (older) events do not. */
function isNews(current: MemberState | undefined, event: TriggerEvent): boolean {
  // A skip loads nothing new; a superseded generation loads nothing at all (its successor has its own event).
  if (event.status === 'skipped' || event.status === 'superseded') return false;
  if (!current) return true;
  if (current.loadId === event.loadId) return current.status !== event.status && event.at >= current.at;
  return event.at >= current.at;
}

function memberOf(event: TriggerEvent): MemberState {
  return {
    loadId: event.loadId,
    status: event.status === 'failed' ? 'failed' : 'loaded',
    rows: event.rows,
    file: event.file,
    error: event.error,
    at: event.at,
  };
}

/** Members whose latest load failed: they hold the batch back until a later load of theirs succeeds. */
export function failedMembers(batch: TriggerBatch, state: BatchKeyState): string[] {
  return batch.tables.filter((table) => state.members[table]?.status === 'failed');
}

/** Members with no load event yet for this key. */
export function missingMembers(batch: TriggerBatch, state: BatchKeyState): string[] {
  return batch.tables.filter((table) => !state.members[table]);
}

/** Loaded members whose load is not covered by the last run (all of them before the first run). */
function newLoads(batch: TriggerBatch, state: BatchKeyState): string[] {
  return batch.tables.filter((table) => {
    const member = state.members[table];
    return member?.status === 'loaded' && state.run?.loadIds[table] !== member.loadId;
  });
}

function runIsLive(state: BatchKeyState, now: string): boolean {
  return state.run?.state === 'running' && state.run.leaseUntil > now;
}

/** Whether the batch should run now, judged only from the members (not from leases or due times). */
function membersCallForRun(batch: TriggerBatch, state: BatchKeyState): boolean {
  if (failedMembers(batch, state).length > 0) return false;
  if (newLoads(batch, state).length === 0) return false;
  return batch.policy.kind === 'each_load' || missingMembers(batch, state).length === 0;
}

function loadIdsOf(state: BatchKeyState): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const [table, member] of Object.entries(state.members)) if (member.status === 'loaded') ids[table] = member.loadId;
  return ids;
}

/** Claims a run for `messageId`: a new one, or (takeover) the abandoned one, keeping its seq. */
export function claim(state: BatchKeyState, messageId: string, now: string, leaseMs: number, takeover: boolean): Step {
  const seq = takeover && state.run ? state.run.seq : (state.run?.seq ?? 0) + 1;
  const run: RunClaim = {
    seq,
    state: 'running',
    claimedBy: messageId,
    leaseUntil: new Date(Date.parse(now) + leaseMs).toISOString(),
    loadIds: loadIdsOf(state),
    startedAt: now,
    finishedAt: null,
  };
  return { state: { ...state, run, dueAt: null, waiter: null, updatedAt: now }, decision: { kind: 'fire', seq, takeover } };
}

/** Decides, for a state whose members are up to date, whether `messageId`'s handler runs dbt, waits, or is done. */
function decide(batch: TriggerBatch, state: BatchKeyState, messageId: string, now: string, leaseMs: number): Decision | Step {
  const run = state.run;
  if (run?.state === 'running' && (run.claimedBy === messageId || run.leaseUntil <= now)) {
    // The claimer's own message again means its handler died (Pub/Sub redelivers only after a failure or timeout).
    return claim(state, messageId, now, leaseMs, true);
  }
  if (runIsLive(state, now)) return { kind: 'none', reason: `run ${run!.seq} is in progress; it re-checks the batch when it ends` };
  if (!membersCallForRun(batch, state)) return { kind: 'none', reason: describeHold(batch, state) };
  if (batch.policy.kind === 'all_tables') return claim(state, messageId, now, leaseMs, false);
  if (state.waiter !== messageId) return { kind: 'none', reason: 'a newer load waits for the quiet period' };
  if (state.dueAt !== null && state.dueAt > now) return { kind: 'wait', until: state.dueAt };
  return claim(state, messageId, now, leaseMs, false);
}

function asStep(result: Decision | Step, state: BatchKeyState | undefined): Step {
  return 'decision' in result ? result : { state, decision: result };
}

/**
 * Folds load events of this key into its state, oldest first, for the handler of `messageId` to decide on next (for
 * each_load, a new load makes it the one that waits for the quiet period). Pure. Undefined when none is news.
 */
export function applyEvents(batch: TriggerBatch, current: BatchKeyState, events: readonly TriggerEvent[], messageId: string, now: string): BatchKeyState | undefined {
  let state: BatchKeyState | undefined;
  for (const event of [...events].sort((a, b) => a.at.localeCompare(b.at))) {
    const base = state ?? current;
    if (!isNews(base.members[event.table], event)) continue;
    state = { ...base, members: { ...base.members, [event.table]: memberOf(event) }, updatedAt: now };
    if (batch.policy.kind === 'each_load' && event.status === 'loaded') {
      // Every new load restarts the quiet period.
      const dueAt = new Date(Date.parse(now) + batch.policy.debounceSeconds * 1000).toISOString();
      state = { ...state, dueAt, waiter: messageId };
    }
  }
  return state;
}

/** Applies one load event to the state of its (batch, key) (`emptyState` for the first) and decides what its handler does. Pure. */
export function onEvent(batch: TriggerBatch, current: BatchKeyState, event: TriggerEvent, now: string, leaseMs: number): Step {
  const state = applyEvents(batch, current, [event], event.messageId, now);
  return asStep(decide(batch, state ?? current, event.messageId, now, leaseMs), state);
}

/** The handler that waited for the quiet period looks again. Pure. */
export function onWake(batch: TriggerBatch, current: BatchKeyState, messageId: string, now: string, leaseMs: number): Step {
  return asStep(decide(batch, current, messageId, now, leaseMs), undefined);
}

/**
 * Records the end of run `seq` and decides whether another run is already owed (a member reloaded while dbt ran).
 * Pure. A finish for a run that was since taken over is ignored: the taker records its own.
 */
export function onRunFinished(
  batch: TriggerBatch,
  current: BatchKeyState,
  seq: number,
  messageId: string,
  outcome: 'success' | 'error',
  now: string,
  leaseMs: number,
): Step {
  const run = current.run;
  if (!run || run.seq !== seq || run.claimedBy !== messageId || run.state !== 'running') {
    return { state: undefined, decision: { kind: 'none', reason: `run ${seq} was taken over` } };
  }
  const state: BatchKeyState = { ...current, run: { ...run, state: outcome, finishedAt: now }, updatedAt: now };
  const dueLater = batch.policy.kind === 'each_load' && state.dueAt !== null && state.dueAt > now;
  if (!membersCallForRun(batch, state) || dueLater) return { state, decision: { kind: 'none', reason: 'no new loads' } };
  return claim(state, messageId, now, leaseMs, false);
}

/** Why a batch key is not running, in words for `landfall status`. */
export function describeHold(batch: TriggerBatch, state: BatchKeyState): string {
  const failed = failedMembers(batch, state);
  if (failed.length > 0) {
    return `held back: ${failed.map((t) => `${t} failed (${state.members[t]?.error ?? 'no reason given'})`).join('; ')}`;
  }
  const missing = missingMembers(batch, state);
  if (batch.policy.kind === 'all_tables' && missing.length > 0) return `waiting for ${missing.join(', ')}`;
  if (newLoads(batch, state).length === 0) return 'up to date: no loads since the last run';
  return 'ready';
}
