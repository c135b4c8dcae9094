// Reads dbt's target/run_results.json: which nodes a `dbt build` built, which failed, and dbt's own error messages.

/** Node statuses in run_results.json that mean the node did its job (models/seeds/snapshots: success; tests: pass, warn). */
const OK_STATUSES = ['success', 'pass', 'warn'] as const;
/** Statuses that mean the node broke the build. `skipped` (upstream failed) is neither built nor failed. */
const FAILED_STATUSES = ['error', 'fail', 'runtime error'] as const;
/** Resource types that leave a relation behind, i.e. what "built" means. */
const BUILT_TYPES = ['model', 'seed', 'snapshot'] as const;

export interface RunResultsSummary {
  /** Unique ids of models/seeds/snapshots that succeeded. */
  built: string[];
  /** Unique ids of nodes (models, tests, seeds…) that errored or failed. */
  failed: string[];
  /** One line per failed node, `id: message`, in run order. */
  errors: string[];
}

interface RawResult {
  unique_id?: unknown;
  status?: unknown;
  message?: unknown;
}

function resourceType(uniqueId: string): string {
  return uniqueId.slice(0, uniqueId.indexOf('.'));
}

/** Summarises the text of a run_results.json; throws on text that is not one (the caller decides what that means). */
export function parseRunResults(text: string): RunResultsSummary {
  const parsed = JSON.parse(text) as { results?: unknown };
  if (!Array.isArray(parsed.results)) throw new Error('run_results.json has no "results" array');
  const summary: RunResultsSummary = { built: [], failed: [], errors: [] };
  for (const raw of parsed.results as RawResult[]) {
    const id = String(raw.unique_id ?? '');
    const status = String(raw.status ?? '');
    if ((FAILED_STATUSES as readonly string[]).includes(status)) {
      summary.failed.push(id);
      summary.errors.push(`${id}: ${typeof raw.message === 'string' ? raw.message : status}`);
    } else if ((OK_STATUSES as readonly string[]).includes(status) && (BUILT_TYPES as readonly string[]).includes(resourceType(id))) {
      summary.built.push(id);
    }
  }
  return summary;
}
