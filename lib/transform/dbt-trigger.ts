// The dbtTrigger use case: a load event updates its batches' state in a transaction; a completed batch key runs dbt once.
import type { Topology } from '../config/topology.js';
import { TransientError, isRetryable } from '../errors.js';
import { MalformedMessageError, deadLetter, parseJson, validateLoadEvent } from '../pipeline/index.js';
import type { Bus, BusMessage, LoadEvent, Logger } from '../pipeline/index.js';
import { emptyState, onEvent, onRunFinished, onWake } from './batch-state.js';
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

/** Handles one load event; resolves to ack, throws a TransientError to have Pub/Sub deliver it again. */
export async function handleLoadEvent(deps: DbtTriggerDeps, message: BusMessage): Promise<BatchOutcome[]> {
  let event: LoadEvent;
  try {
    event = validateLoadEvent(parseJson(message));
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    await deadLetter(deps, message, error, 'dbtTrigger');
    return [];
  }
  const batches = deps.batches.filter((batch) => batch.tables.includes(event.table));
  if (batches.length === 0) deps.log('DEBUG', 'event_outside_batches', { table: event.table, batchKey: event.batchKey });
  const outcomes: BatchOutcome[] = [];
  for (const batch of batches) {
    const trigger = triggerEvent(event, message, nowIso(deps));
    const key = batch.perFolder ? `${event.folder ?? ''}${event.batchKey}` : event.batchKey;
    const first = await transact(deps, batch, key, (state) => onEvent(batch, state, trigger, nowIso(deps), deps.leaseMs));
    outcomes.push(await follow(deps, batch, key, message.messageId, first));
  }
  return outcomes;
}

/** Applies a pure step in a transaction: writes its state, and a `running` run record when it claims a run. */
function transact(
  deps: DbtTriggerDeps,
  batch: TriggerBatch,
  batchKey: string,
  step: (state: BatchKeyState) => Step,
  finished?: DbtRunRecord,
): Promise<{ decision: Decision; state: BatchKeyState | undefined; claimed?: DbtRunRecord }> {
  return deps.store.update(batch.name, batchKey, (current) => {
    const next = step(current ?? emptyState(batch.name, batchKey, nowIso(deps)));
    const claimed = next.decision.kind === 'fire' && next.state ? claimedRecord(next.state, batch.select) : undefined;
    const write: TriggerWrite<{ decision: Decision; state: BatchKeyState | undefined; claimed?: DbtRunRecord }> = {
      result: { decision: next.decision, state: next.state ?? current, ...(claimed ? { claimed } : {}) },
    };
    if (next.state) write.state = next.state;
    // A finished run's record is written with the state that ends it (not when the run was taken over meanwhile);
    // a run claimed in the same transaction gets its own record.
    write.runs = [...(finished && next.state ? [finished] : []), ...(claimed ? [claimed] : [])];
    return write;
  });
}

/** Carries out a decision: waits for a quiet period, runs dbt (and again if loads came in meanwhile), or stops. */
async function follow(
  deps: DbtTriggerDeps,
  batch: TriggerBatch,
  batchKey: string,
  messageId: string,
  start: { decision: Decision; state: BatchKeyState | undefined; claimed?: DbtRunRecord },
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
      current = await transact(deps, batch, batchKey, (state) => onWake(batch, state, messageId, nowIso(deps), deps.leaseMs));
      continue;
    }
    const record = await execute(deps, batch, batchKey, current.claimed!, decision.takeover);
    runs.push(record);
    current = await transact(
      deps,
      batch,
      batchKey,
      (state) => onRunFinished(batch, state, decision.seq, messageId, record.status === 'success' ? 'success' : 'error', nowIso(deps), deps.leaseMs),
      record,
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
