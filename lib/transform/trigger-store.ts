// The dbt trigger's state port: one document per (batch, batch key) changed atomically, the load events filed for it, and one record per run.
import type { BatchKeyState, RunState, TriggerEvent } from './batch-state.js';
import type { DbtRunResult } from './runner.js';

/** One dbt run as `landfall status` shows it; written when the run is claimed and again when it ends. */
export interface DbtRunRecord {
  batch: string;
  batchKey: string;
  /** 1, 2, … per (batch, key). */
  seq: number;
  status: RunState;
  select: string;
  /** The member loads the run covers (table → load id). */
  loadIds: Record<string, string>;
  startedAt: string;
  finishedAt: string | null;
  modelsBuilt: string[];
  modelsFailed: string[];
  logExcerpt: string;
  message: string | null;
}

/** What one decision writes, in one commit: the batch key's state and/or run records (nothing when both are absent). */
export interface TriggerWrite<T> {
  state?: BatchKeyState;
  runs?: DbtRunRecord[];
  /** `state` takes in every filed event `decide` was given: they leave the file in the same commit. */
  folded?: boolean;
  result: T;
}

export interface BatchStore {
  /**
   * Runs `decide` on the state of (batch, key) and writes what it returns in one commit, only if nobody wrote the state
   * since it was read (run records only with a state); `decide` may run more than once (contention, waits), so it
   * must be pure.
   *
   * Load events travel beside the state. `events` are filed for the key first, each on its own (a repeat of one load's
   * event lands on the same entry), and durably: a caller that dies after that loses nothing. When the call writes
   * (its own events are still filed, or `decide` has something to write), `decide` is given every filed event not
   * in the state yet, and says whether its state took them in (`folded`): they leave the file in the same commit.
   * Otherwise it is given none. The call returns once its own events are in the state, whoever folded them. The
   * store may space the writes of one key's state (its database's rate per document).
   */
  update<T>(
    batch: string,
    batchKey: string,
    decide: (state: BatchKeyState | undefined, filed: TriggerEvent[]) => TriggerWrite<T>,
    events?: readonly TriggerEvent[],
  ): Promise<T>;
  /** Every batch key's state, for status. */
  listStates(): Promise<BatchKeyState[]>;
  /** The most recent runs first. */
  listRuns(limit: number): Promise<DbtRunRecord[]>;
}

/** The record of a run just claimed: `running`, nothing built yet. */
export function claimedRecord(state: BatchKeyState, select: string): DbtRunRecord {
  const run = state.run!;
  return {
    batch: state.batch,
    batchKey: state.batchKey,
    seq: run.seq,
    status: 'running',
    select,
    loadIds: run.loadIds,
    startedAt: run.startedAt,
    finishedAt: null,
    modelsBuilt: [],
    modelsFailed: [],
    logExcerpt: '',
    message: null,
  };
}

/** The record of a run that ended, from what the runner said. */
export function finishedRecord(claimed: DbtRunRecord, result: DbtRunResult): DbtRunRecord {
  return {
    ...claimed,
    status: result.status,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    modelsBuilt: result.modelsBuilt,
    modelsFailed: result.modelsFailed,
    logExcerpt: result.logExcerpt,
    message: result.message ?? null,
  };
}
