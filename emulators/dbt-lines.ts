// dbt runs in the main command: one line per change of a run record (running → success | error), and which runs loads should start.
import type { DbtRunRecord, TriggerBatch } from '../lib/transform/index.js';

/** `model.landfall_example.stg_trades` → `stg_trades`. */
function nodeName(uniqueId: string): string {
  return uniqueId.slice(uniqueId.lastIndexOf('.') + 1);
}

function list(names: string[], max = 6): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … ${names.length - max} more` : shown;
}

function seconds(run: Pick<DbtRunRecord, 'startedAt' | 'finishedAt'>): string {
  if (run.finishedAt === null) return '';
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return Number.isFinite(ms) ? `  ${(ms / 1000).toFixed(1)} s` : '';
}

/** What a run built, split into models (and seeds, snapshots) and the tests that passed. */
function built(run: DbtRunRecord): string {
  const tests = run.modelsBuilt.filter((id) => id.startsWith('test.')).length;
  const nodes = run.modelsBuilt.filter((id) => !id.startsWith('test.')).map(nodeName);
  const models = `${nodes.length} ${nodes.length === 1 ? 'model' : 'models'} built${nodes.length ? `: ${list(nodes)}` : ''}`;
  return tests ? `${models}; ${tests} ${tests === 1 ? 'test' : 'tests'} passed` : models;
}

export function dbtRunLine(run: DbtRunRecord, width: number): string {
  const head = `dbt ${run.batch} ${run.batchKey}`.padEnd(width);
  switch (run.status) {
    case 'running':
      return `${head}… dbt build --select ${run.select} (run ${run.seq})`;
    case 'success':
      return `${head}✓ ${built(run)}${seconds(run)}`;
    case 'error': {
      const failed = run.modelsFailed.length ? `; failed: ${list(run.modelsFailed.map(nodeName))}` : '';
      return `${head}✗ dbt build failed: ${run.message ?? 'see its log in `landfall status`'}${failed}${seconds(run)}`;
    }
  }
}

/** Says each (run, status) once: Firestore listeners report a document again on any change. */
export function dbtRunReporter(width: () => number): (run: DbtRunRecord) => string | undefined {
  const said = new Set<string>();
  return (run) => {
    const key = `${run.batch}\u0000${run.batchKey}\u0000${run.seq}\u0000${run.status}`;
    if (said.has(key)) return undefined;
    said.add(key);
    return dbtRunLine(run, width());
  };
}

/**
 * The dbt runs a set of loads should start: an `all_tables` batch once all its tables loaded a key, an
 * `each_load` batch once any did (one run at least: its debounce may fold several loads into one).
 */
export function expectedRuns(batches: readonly TriggerBatch[], loaded: readonly { table: string; batchKey: string }[]): { batch: string; batchKey: string }[] {
  const keys = [...new Set(loaded.map((l) => l.batchKey))].sort();
  return batches.flatMap((batch) =>
    keys
      .filter((key) => {
        const tables = new Set(loaded.filter((l) => l.batchKey === key).map((l) => l.table));
        return batch.policy.kind === 'all_tables' ? batch.tables.every((t) => tables.has(t)) : batch.tables.some((t) => tables.has(t));
      })
      .map((batchKey) => ({ batch: batch.name, batchKey })),
  );
}
