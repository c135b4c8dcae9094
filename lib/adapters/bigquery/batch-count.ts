// A batch's count step: one query over every staging table gives each file its rows and, per typed column, a value that does not cast.
import { checkExpectedRows } from '../../load/index.js';
import type { LoadJob, LoadResult } from '../../load/index.js';
import { castFailure, fieldChecks, ownColumns } from './casts.js';
import type { FieldCheck } from './casts.js';
import type { TableColumn } from './column-types.js';
import { badValuesOf, batchCountSql } from './count-sql.js';
import type { CastCheck } from './count-sql.js';
import { classifyBigQueryError } from './errors.js';
import { query } from './metadata.js';
import type { Where } from './metadata.js';
import type { StagedFields } from './staged-sql.js';
import type { StagingContext } from './staging.js';

export type Fate = PromiseSettledResult<LoadResult>;

export interface Member {
  index: number;
  job: LoadJob;
  /** A CSV object copied as it is, or an NDJSON copy landfall writes (every other format; a CSV file the reader misreads). */
  format: 'csv' | 'ndjson';
  replaceLoadIds: string[];
  /** The table's columns when the batch was decided; undefined when the batch is to create the table. */
  columns?: TableColumn[];
  /** The copy under `…/_landfall_load=<load id>/`, once made. */
  copy?: { bucket: string; name: string };
  rows?: number;
}

/** The objects of one shape (format, delimiter, compression, width): one staging table, one load job. */
export interface Shape {
  staging: string;
  fields: StagedFields;
  members: Member[];
}

const checkKey = (c: CastCheck) => `${c.position}\u0000${c.type}`;

/**
 * Each file's checks: against its table's types, or, for a table the batch creates, its first file's (that file's
 * own values cast to its own types, so it is not checked). `creators` gets that first file of each such table.
 */
function checksOf(members: readonly Member[], fates: Fate[], creators: Map<string, Member>): Map<Member, FieldCheck[]> {
  const checks = new Map<Member, FieldCheck[]>();
  for (const m of members) {
    const creator = creators.get(m.job.table);
    if (m.columns === undefined && creator === undefined) {
      creators.set(m.job.table, m);
      checks.set(m, []);
      continue;
    }
    try {
      checks.set(m, fieldChecks(m.job, m.columns ?? ownColumns(creator!.job)));
    } catch (error) {
      fates[m.index] = { status: 'rejected', reason: error };
    }
  }
  return checks;
}

/** One file's verdict from its row of the count query: itself with its rows, or the error that fails it. */
async function judge(m: Member, row: Record<string, unknown> | undefined, checks: readonly FieldCheck[], bad: readonly (string | null)[]): Promise<Member> {
  const failure = await castFailure(m.job, checks, bad);
  if (failure) throw failure;
  const rows = Number(row?.total ?? 0);
  checkExpectedRows(m.job, rows);
  return { ...m, rows };
}

/**
 * The files whose rows match their expected count and whose values cast to their columns' types, each with its rows.
 * A file with a value that does not cast fails, named by its line; one with a NUL the reader loaded goes alone (its
 * read names the line). When the first file of a table the batch creates fails, the others of that table go alone,
 * whatever their verdict: they were checked against its types.
 */
export async function countRows(ctx: StagingContext, where: Where, shapes: Shape[], fates: Fate[], alone: Member[]): Promise<Member[]> {
  const loaded = shapes.filter((s) => s.members.length > 0);
  if (loaded.length === 0) return [];
  const creators = new Map<string, Member>();
  const checks = checksOf(loaded.flatMap((s) => s.members).sort((a, b) => a.index - b.index), fates, creators);
  // Each staging table's distinct checks: the count query's bad_0 … columns for it.
  const lists = loaded.map((s) => [...new Map(s.members.flatMap((m) => checks.get(m) ?? []).map((c) => [checkKey(c), { position: c.position, type: c.type }])).values()]);
  const counted = loaded.map((s, i) => ({ staging: s.staging, fields: s.fields, checks: lists[i]! }));
  const rows = new Map<string, Record<string, unknown>>();
  for (const row of await query(ctx.bq, where, batchCountSql(where, counted, ctx.reader.loadsNul))) rows.set(String(row.load_id).toLowerCase(), row);
  const good: Member[] = [];
  const failed = new Map<Member, unknown>();
  for (const [i, shape] of loaded.entries()) {
    for (const m of shape.members.filter((x) => checks.has(x))) {
      const row = rows.get(m.job.loadId.toLowerCase());
      if (Number(row?.nuls ?? 0) > 0) {
        alone.push(m);
        continue;
      }
      const bad = badValuesOf(row, lists[i]!);
      const own = checks.get(m)!;
      const ownBad = own.map((c) => bad[lists[i]!.findIndex((l) => checkKey(l) === checkKey(c))] ?? null);
      await judge(m, row, own, ownBad).then(
        (judged) => good.push(judged),
        (error: unknown) => failed.set(m, classifyBigQueryError(error, { file: m.job.source.name, table: m.job.table })),
      );
    }
  }
  const lost = new Set([...creators].filter(([, c]) => !good.some((g) => g.index === c.index)).map(([table]) => table));
  const redo = (m: Member) => m.columns === undefined && lost.has(m.job.table) && creators.get(m.job.table)!.index !== m.index;
  for (const [m, reason] of failed) {
    if (redo(m)) alone.push(m);
    else fates[m.index] = { status: 'rejected', reason };
  }
  alone.push(...good.filter(redo));
  // In the batch's order: the commit makes a missing table from the first of its files, the one checked against.
  return good.filter((g) => !redo(g)).sort((a, b) => a.index - b.index);
}
