// Decides, from earlier loads of a path, whether a load is skipped, and which earlier loads it replaces.
import { TerminalError } from '../errors.js';
import type { PriorLoad, ReplacePolicy } from './warehouse.js';

export type ReplacePlan = { action: 'skip'; loadId: string; rows: number } | { action: 'load'; replaceLoadIds: string[] };

/**
 * The plan for a source: with no earlier load of its path there is nothing to compare, so its generation (a local
 * file's hash, perhaps still being computed) is not waited for here.
 */
export async function planForSource(
  prior: readonly PriorLoad[],
  generation: Promise<string>,
  policy: ReplacePolicy,
  context: { table: string; file: string },
): Promise<ReplacePlan> {
  return prior.length === 0 ? { action: 'load', replaceLoadIds: [] } : planReplacement(prior, await generation, policy, context);
}

/**
 * Identity is (table, path, generation). The same identity loads once unless forced; a forced reload
 * replaces that identity's rows. A new generation of a loaded path follows the mapping's `reupload` policy;
 * `force` overrides `reject` (the operator asked for it explicitly) and then behaves like `replace`.
 */
export function planReplacement(
  prior: readonly PriorLoad[],
  generation: string,
  policy: ReplacePolicy,
  context: { table: string; file: string },
): ReplacePlan {
  const loaded = prior.filter((p) => p.status === 'loaded');
  const same = loaded.filter((p) => p.generation === generation);
  const others = loaded.filter((p) => p.generation !== generation);
  if (same.length > 0 && !policy.force) return { action: 'skip', loadId: same[0]!.loadId, rows: same[0]!.rows };
  const replace = policy.force ? same.map((p) => p.loadId) : [];
  if (others.length === 0 || policy.reupload === 'append') return { action: 'load', replaceLoadIds: replace };
  if (policy.reupload === 'reject' && !policy.force) {
    throw new TerminalError(
      `${context.file} was already loaded into ${context.table} from another version ` +
        `(generation ${others[others.length - 1]!.generation}); the mapping's reupload policy is "reject" ` +
        `(load it with --force to replace the earlier rows)`,
      { file: context.file, table: context.table },
    );
  }
  return { action: 'load', replaceLoadIds: [...replace, ...others.map((p) => p.loadId)] };
}
