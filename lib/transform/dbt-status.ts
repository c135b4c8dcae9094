// What `landfall status` shows of dbt: each batch key's state (waiting for, held back by, running) and the recent runs.
import { describeHold } from './batch-state.js';
import { batchOverdue } from './overdue.js';
import type { BatchKeyState, TriggerBatch } from './batch-state.js';
import type { BatchStore, DbtRunRecord } from './trigger-store.js';

export interface BatchKeyStatus {
  batch: string;
  batchKey: string;
  /** Member table → its latest load's status (`loaded`, `failed`) or `missing`. */
  members: Record<string, string>;
  /** `running run 3`, `held back: raw_trades failed (…)`, `waiting for raw_positions`, `up to date: …`. */
  state: string;
  lastRun: Pick<DbtRunRecord, 'seq' | 'status' | 'startedAt' | 'finishedAt'> | null;
  updatedAt: string;
  /** Incomplete past the batch's expected_by (what the sweep reports as batch_overdue). */
  overdue: boolean;
}

export interface DbtStatus {
  batchKeys: BatchKeyStatus[];
  /** Most recent first. */
  runs: DbtRunRecord[];
}

/** Reads every batch key's state and the last `runLimit` runs, for `landfall status`. */
export async function readDbtStatus(store: BatchStore, batches: readonly TriggerBatch[], runLimit = 20): Promise<DbtStatus> {
  const [states, runs] = await Promise.all([store.listStates(), store.listRuns(runLimit)]);
  return dbtStatus(states, runs, batches);
}

/** The status of each batch key and the runs, in order. Pure. Keys of batches no longer configured are left out. */
export function dbtStatus(states: readonly BatchKeyState[], runs: DbtRunRecord[], batches: readonly TriggerBatch[], now = new Date()): DbtStatus {
  const batchKeys: BatchKeyStatus[] = [];
  for (const state of states) {
    const batch = batches.find((b) => b.name === state.batch);
    if (!batch) continue;
    const running = state.run?.state === 'running';
    batchKeys.push({
      batch: state.batch,
      batchKey: state.batchKey,
      members: Object.fromEntries(batch.tables.map((t) => [t, state.members[t]?.status ?? 'missing'])),
      state: running ? `running run ${state.run!.seq} (since ${state.run!.startedAt})` : describeHold(batch, state),
      lastRun: state.run && { seq: state.run.seq, status: state.run.state, startedAt: state.run.startedAt, finishedAt: state.run.finishedAt },
      updatedAt: state.updatedAt,
      overdue: batchOverdue(batch, state, now) !== undefined,
    });
  }
  batchKeys.sort((a, b) => a.batch.localeCompare(b.batch) || b.batchKey.localeCompare(a.batchKey));
  return { batchKeys, runs };
}

const shortName = (uniqueId: string) => uniqueId.slice(uniqueId.lastIndexOf('.') + 1);

function runLine(run: DbtRunRecord): string {
  const took = run.finishedAt ? ` in ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s` : '';
  const built = run.modelsBuilt.length ? `; built ${run.modelsBuilt.map(shortName).join(', ')}` : '';
  const failed = run.modelsFailed.length ? `; failed ${run.modelsFailed.map(shortName).join(', ')}` : '';
  const message = run.message ? `\n      ${run.message.split('\n').slice(0, 3).join('\n      ')}` : '';
  return `  ${run.batch} ${run.batchKey} run ${run.seq}: ${run.status}, started ${run.startedAt}${took}${built}${failed}${message}`;
}

/** The dbt part of `landfall status`, as text. */
export function formatDbtStatus(status: DbtStatus): string {
  const lines = ['dbt batches:'];
  if (status.batchKeys.length === 0) lines.push('  (no load events for any batch yet)');
  for (const key of status.batchKeys) {
    const members = Object.entries(key.members).map(([table, s]) => `${table}=${s}`).join(' ');
    lines.push(`  ${key.batch} ${key.batchKey}: ${key.state}${key.overdue ? ' (OVERDUE: past expected_by)' : ''}`, `      ${members}`);
  }
  lines.push('dbt runs (latest first):');
  if (status.runs.length === 0) lines.push('  (none)');
  lines.push(...status.runs.map(runLine));
  return lines.join('\n');
}
