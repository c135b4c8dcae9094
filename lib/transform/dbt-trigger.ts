// The dbtTrigger use case: a message's load events are filed for their batch keys and folded into each key's state by
// compare-and-set; a completed batch key runs dbt once.
import type { Topology } from '../config/topology.js';
import { TransientError, isRetryable } from '../errors.js';
import { MalformedMessageError, deadLetter, parseJson, validateLoadEvents } from '../pipeline/index.js';
import type { Bus, BusMessage, LoadEvent, Logger } from '../pipeline/index.js';
import { applyEvents, emptyState, onRunFinished, onWake } from './batch-state.js';
import type { BatchKeyState, Decision, Step, TriggerBatch, TriggerEvent } from './batch-state.js';
import type { DbtRunner, DbtRunResult } from './runner.js';
import { claimedRecord, finishedRecord } from './trigger-store.js';
import type { BatchStore, DbtRunRecord, TriggerWrite } from './trigger-store.js';

export interface DbtTriggerDeps {
  batches: readonly TriggerBatch[];
  store: BatchStore;
  runner: DbtRunner;
  bus: Bus;
  topology: Topology;
  log: Logger;
  /** How long a claimed run holds off other handlers; longer than the function's timeout. */
  leaseMs: number;
  /** each_load: the longest one delivery sleeps for a quiet period before handing the wait back to Pub/Sub. */
  maxWaitMs: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** What the handler did for one batch the event's table belongs to. */
export interface BatchOutcome {
  batch: string;
  batchKey: string;
  /** The runs this delivery executed (usually none or one). */
  runs: DbtRunRecord[];
  /** Why nothing (more) ran. */
  reason: string;
}

const nowIso = (deps: DbtTriggerDeps) => (deps.now ?? (() => new Date()))().toISOString();
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function triggerEvent(event: LoadEvent, message: BusMessage, now: string): TriggerEvent {
  return {
    table: event.table,
    loadId: event.loadId,
    status: event.status,
    rows: event.rows,
    file: event.file,
    error: event.error ?? null,
    // The loader's finish time orders a member's events; the publish time stands in for events without one.
    at: event.finishedAt ?? message.publishTime ?? now,
    messageId: message.messageId,
  };
}

/** The events of one batch, by batch key (a per-folder batch's key starts with the folder). */
function byBatchKey(batch: TriggerBatch, events: readonly LoadEvent[], message: BusMessage, now: string): Map<string, TriggerEvent[]> {
  const keys = new Map<string, TriggerEvent[]>();
  for (const event of events.filter((e) => batch.tables.includes(e.table))) {
    const key = batch.perFolder ? `${event.folder ?? ''}${event.batchKey}` : event.batchKey;
    keys.set(key, [...(keys.get(key) ?? []), triggerEvent(event, message, now)]);
  }
  return keys;
}

/**
 * Handles one message of load events (one, or a list); resolves to ack, throws a TransientError to have Pub/Sub
 * deliver it again. Each event is filed for its batch key first (durable, and many at once never contend), then the
 * handler decides on the key's state with everything filed folded in, its own events included, whoever folds them.
 */
export async function handleLoadEvent(deps: DbtTriggerDeps, message: BusMessage): Promise<BatchOutcome[]> {
  let events: LoadEvent[];
  try {
    events = validateLoadEvents(parseJson(message));
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    await deadLetter(deps, message, error, 'dbtTrigger');
    return [];
  }
  const outcomes: BatchOutcome[] = [];
  for (const batch of deps.batches) {
    for (const [key, triggers] of byBatchKey(batch, events, message, nowIso(deps))) {
      // A skip or a superseded generation is never news: nothing to file, but the handler still decides (a takeover).
      const news = triggers.filter((t) => t.status === 'loaded' || t.status === 'failed');
      const first = await transact(deps, batch, key, message.messageId, (state) => onWake(batch, state, message.messageId, nowIso(deps), deps.leaseMs), { events: news });
      outcomes.push(await follow(deps, batch, key, message.messageId, first));
    }
  }
  if (outcomes.length === 0) deps.log('DEBUG', 'event_outside_batches', { tables: [...new Set(events.map((e) => e.table))], batchKey: events[0]!.batchKey });
  return outcomes;
}

type Transacted = { decision: Decision; state: BatchKeyState | undefined; claimed?: DbtRunRecord };

/**
 * Applies a pure step in one commit, on the state with every filed event folded in (this handler decides on them:
 * for each_load it becomes the one that waits): writes its state, and a `running` run record when it claims a run.
 */
function transact(
  deps: DbtTriggerDeps,
  batch: TriggerBatch,
  batchKey: string,
  messageId: string,
  step: (state: BatchKeyState) => Step,
  also: { events?: TriggerEvent[]; finished?: DbtRunRecord } = {},
): Promise<Transacted> {
  const { events = [], finished } = also;
  return deps.store.update(batch.name, batchKey, (current, filed) => {
    const now = nowIso(deps);
    const base = current ?? emptyState(batch.name, batchKey, now);
    // Filed events leave the file only with a write of the state, so one that is no news still writes it.
    const folded = filed.length === 0 ? undefined : (applyEvents(batch, base, filed, messageId, now) ?? { ...base, updatedAt: now });
    const next = step(folded ?? base);
    const state = next.state ?? folded;
    const claimed = next.decision.kind === 'fire' && next.state ? claimedRecord(next.state, batch.select) : undefined;
    const write: TriggerWrite<Transacted> = { result: { decision: next.decision, state: state ?? current, ...(claimed ? { claimed } : {}) } };
    if (state) write.state = state;
    if (folded) write.folded = true;
    // A finished run's record is written with the step that ends it (not when the run was taken over meanwhile);
    // a run claimed in the same commit gets its own record.
    write.runs = [...(finished && next.state ? [finished] : []), ...(claimed ? [claimed] : [])];
    return write;
  }, events);
}

/** Carries out a decision: waits for a quiet period, runs dbt (and again if loads came in meanwhile), or stops. */
async function follow(
  deps: DbtTriggerDeps,
  batch: TriggerBatch,
  batchKey: string,
  messageId: string,
  start: Transacted,
): Promise<BatchOutcome> {
  const runs: DbtRunRecord[] = [];
  let current = start;
  for (;;) {
    const { decision } = current;
    if (decision.kind === 'none') {
      deps.log('DEBUG', 'batch_not_run', { batch: batch.name, batchKey, reason: decision.reason });
      return { batch: batch.name, batchKey, runs, reason: decision.reason };
    }
    if (decision.kind === 'wait') {
      await waitForQuiet(deps, batch, batchKey, decision.until);
      current = await transact(deps, batch, batchKey, messageId, (state) => onWake(batch, state, messageId, nowIso(deps), deps.leaseMs));
      continue;
    }
    const record = await execute(deps, batch, batchKey, current.claimed!, decision.takeover);
    runs.push(record);
    current = await transact(
      deps,
      batch,
      batchKey,
      messageId,
      (state) => onRunFinished(batch, state, decision.seq, messageId, record.status === 'success' ? 'success' : 'error', nowIso(deps), deps.leaseMs),
      { finished: record },
    );
  }
}

/** Sleeps towards `until`; past `maxWaitMs` the wait is handed back to Pub/Sub, whose redelivery resumes it. */
async function waitForQuiet(deps: DbtTriggerDeps, batch: TriggerBatch, batchKey: string, until: string): Promise<void> {
  const remainingMs = Date.parse(until) - Date.parse(nowIso(deps));
  const sleep = deps.sleep ?? defaultSleep;
  if (remainingMs > deps.maxWaitMs) {
    await sleep(deps.maxWaitMs);
    throw new TransientError(`batch ${batch.name}/${batchKey}: quiet period runs until ${until}; waiting on redelivery`);
  }
  if (remainingMs > 0) await sleep(remainingMs);
}

/** Runs dbt for a claimed run. A transient failure leaves the claim for this message's redelivery to take over. */
async function execute(deps: DbtTriggerDeps, batch: TriggerBatch, batchKey: string, claimed: DbtRunRecord, takeover: boolean): Promise<DbtRunRecord> {
  const context = { batch: batch.name, batchKey, seq: claimed.seq, select: batch.select, loadIds: claimed.loadIds };
  deps.log('INFO', takeover ? 'dbt_run_taken_over' : 'dbt_run_started', context);
  let result: DbtRunResult;
  try {
    result = await deps.runner.run({ batch: batch.name, batchKey, select: batch.select });
  } catch (error) {
    if (isRetryable(error)) {
      deps.log('WARNING', 'dbt_run_retry', { ...context, error: String((error as Error)?.message ?? error) });
      throw error;
    }
    // Anything else would fail the same way on every redelivery: record it as the run's failure instead.
    const at = nowIso(deps);
    const text = error instanceof Error ? error.message : String(error);
    result = { status: 'error', startedAt: claimed.startedAt, finishedAt: at, modelsBuilt: [], modelsFailed: [], logExcerpt: '', message: text };
  }
  const record = finishedRecord(claimed, result);
  deps.log(result.status === 'success' ? 'INFO' : 'ERROR', `dbt_run_${result.status}`, {
    ...context,
    modelsBuilt: record.modelsBuilt,
    modelsFailed: record.modelsFailed,
    // `message` is the log line's own field (Cloud Logging shows it): dbt's message goes in `error`.
    error: record.message,
  });
  return record;
}
