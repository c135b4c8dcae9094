// Checks across mappings: no two may claim one file name, and mappings writing one table must agree.
import { dataPatterns, overlapWitness } from '../match/index.js';
import type { Draft } from './mapping-entry.js';
import type { Problems } from './yaml-file.js';

interface Claim {
  pattern: string;
  role: 'data' | 'go file';
}

function claimsOf(draft: Draft): Claim[] {
  const claims: Claim[] = [];
  if (draft.patternOk) {
    for (const pattern of dataPatterns(draft.mapping)) claims.push({ pattern, role: 'data' });
  }
  if (draft.goPatternOk && draft.mapping.goFile !== undefined) claims.push({ pattern: draft.mapping.goFile.pattern, role: 'go file' });
  return claims;
}

const where = (draft: Draft): string => `${draft.mapping.source.file}:${draft.mapping.source.line}`;

/** One problem per pair of mappings that can claim the same file name, reported at the later one. */
function findOverlaps(drafts: readonly Draft[], problems: Problems): void {
  const claims = drafts.map(claimsOf);
  for (let later = 1; later < drafts.length; later++) {
    for (let earlier = 0; earlier < later; earlier++) {
      const clash = firstClash(claims[earlier] ?? [], claims[later] ?? []);
      if (clash === undefined) continue;
      const [mine, theirs, witness] = clash;
      const { file, line } = (drafts[later] as Draft).mapping.source;
      problems.add(
        file,
        line,
        `${mine.role} pattern "${mine.pattern}" and ${theirs.role} pattern "${theirs.pattern}" (${where(drafts[earlier] as Draft)}) ` +
          `can both claim "${witness}": each file name must belong to one mapping`,
      );
    }
  }
}

function firstClash(earlier: readonly Claim[], later: readonly Claim[]): [Claim, Claim, string] | undefined {
  for (const mine of later) {
    for (const theirs of earlier) {
      const witness = overlapWitness(mine.pattern, theirs.pattern);
      if (witness !== undefined) return [mine, theirs, witness];
    }
  }
  return undefined;
}

/** Mappings writing one table (DuckDB folds case, so compared case-insensitively) must spell it and re-load alike. */
function findTableConflicts(drafts: readonly Draft[], problems: Problems): void {
  const firstByTable = new Map<string, Draft>();
  for (const draft of drafts) {
    if (!draft.tableOk) continue;
    const { table, reupload, source } = draft.mapping;
    const first = firstByTable.get(table.toLowerCase());
    if (first === undefined) {
      firstByTable.set(table.toLowerCase(), draft);
      continue;
    }
    if (first.mapping.table !== table) {
      problems.add(
        source.file,
        source.line,
        `table "${table}" is the same table as "${first.mapping.table}" (${where(first)}): the warehouse ignores case, so spell it one way`,
      );
    }
    if (first.mapping.reupload !== reupload) {
      problems.add(
        source.file,
        source.line,
        `table "${table}" has reupload ${reupload} here but ${first.mapping.reupload} for "${first.mapping.pattern}" (${where(first)}): ` +
          'mappings writing one table must agree',
      );
    }
  }
}

export function findConflicts(drafts: readonly Draft[], problems: Problems): void {
  findOverlaps(drafts, problems);
  findTableConflicts(drafts, problems);
}
