// Bytes a query job processes and is billed, by BigQuery's on-demand rules, from the emulator's data as it stands.
import { tableRef } from '../../lib/adapters/bigquery/names.js';
import type { StatementCharge } from './bill.js';
import { columnSize } from './column-sizes.js';
import type { Field } from './column-sizes.js';
import { tableKey } from './plan.js';
import type { PlannedStatement, ScalarParameter, TableId } from './plan.js';
import { prunedBytes } from './pruning.js';
import type { ClusterSchema } from './pruning.js';
import { isDml } from './sql-statements.js';
import type { Upstream } from './upstream.js';

const MIB = 1024 * 1024;
/** "10 MB" on the pricing page; 10 MiB, as the maximumBytesBilled error (`>=10485760`) shows. */
export const MIN_BILLED_BYTES = 10 * MIB;

/**
 * Billed bytes of one statement from what it processed in each table it references: at least 10 MB per table (which
 * makes at least 10 MB per statement), rounded up to the MB. A statement that references no table bills nothing.
 */
export function billedBytes(perTable: readonly number[]): number {
  if (perTable.length === 0) return 0;
  const total = perTable.reduce((sum, bytes) => sum + Math.max(bytes, MIN_BILLED_BYTES), 0);
  return Math.ceil(total / MIB) * MIB;
}

/** A table's columns and clustering, as tables.get answers them; a table that is gone has neither. */
async function schemaOf(upstream: Upstream, t: TableId): Promise<ClusterSchema> {
  const path = `/projects/${encodeURIComponent(t.project)}/datasets/${encodeURIComponent(t.dataset)}/tables/${encodeURIComponent(t.table)}`;
  const { status, json } = await upstream.call<{ schema?: { fields?: Field[] }; clustering?: { fields?: string[] } }>('GET', path);
  return status === 200 ? { fields: json.schema?.fields ?? [], clustering: json.clustering?.fields ?? [] } : { fields: [], clustering: [] };
}

/** Columns of `fields` the statement names (or all of them after `SELECT *`). */
function namedColumns(statement: PlannedStatement['statement'], fields: Field[], all: boolean): Field[] {
  return all ? fields : fields.filter((f) => statement.identifiers.has(f.name.toLowerCase()));
}

/** For each statement, the columns it reads per table, and the tables it references (reads and DML target). */
function columnsRead(s: PlannedStatement, schemas: Map<string, Field[]>): Map<string, Field[]> {
  const read = new Map<string, Field[]>();
  const add = (t: TableId, fields: Field[]) => read.set(tableKey(t), [...(read.get(tableKey(t)) ?? []), ...fields]);
  for (const t of s.reads) add(t, namedColumns(s.statement, schemas.get(tableKey(t)) ?? [], s.statement.selectsAll));
  if (s.target && isDml(s.statement.kind)) {
    const fields = schemas.get(tableKey(s.target)) ?? [];
    // INSERT only names its target's columns to write them; the others scan their target (q), and UPDATE, DELETE and
    // a MERGE that updates or deletes add the whole table (t): "q + t" in the DML pricing section.
    add(s.target, s.statement.kind === 'insert' ? [] : namedColumns(s.statement, fields, false));
    if (s.statement.rewritesTarget) add(s.target, fields);
  }
  return read;
}

/** Sums each wanted column of each table in one query per table; a table that is gone (or fails) counts 0. */
async function columnBytes(upstream: Upstream, tables: Map<string, TableId>, wanted: Map<string, Set<Field>>): Promise<Map<string, Map<string, number>>> {
  const sizes = new Map<string, Map<string, number>>();
  for (const [key, fields] of wanted) {
    const t = tables.get(key)!;
    const list = [...fields];
    if (list.length === 0) continue;
    try {
      const [row] = await upstream.query(t.project, `SELECT ${list.map(columnSize).join(', ')} FROM ${tableRef(t.project, t.dataset, t.table)}`);
      sizes.set(key, new Map(list.map((f, i) => [f.name, Number(row?.[i] ?? 0)])));
    } catch {
      sizes.set(key, new Map());
    }
  }
  return sizes;
}

export interface ChargeOptions {
  /** false asks the emulator nothing and charges the minimums only. */
  measure: boolean;
  /** The storage block size that block pruning of clustered tables is modelled with (pruning.ts). */
  blockBytes: number;
  parameters: ReadonlyMap<string, ScalarParameter>;
}

/**
 * Each statement's bytes processed and billed, measured before the job runs (a statement that reads what an earlier
 * one of the same script wrote is measured as the table was before the script). A SELECT that filters a clustered
 * table on its clustering reads only the blocks that can hold its rows (pruning.ts); every other read is whole.
 */
export async function chargeStatements(upstream: Upstream, statements: PlannedStatement[], options: ChargeOptions): Promise<StatementCharge[]> {
  const tables = new Map<string, TableId>();
  for (const s of statements) for (const t of [...s.reads, ...(s.target ? [s.target] : [])]) tables.set(tableKey(t), t);
  const schemas = new Map<string, ClusterSchema>();
  if (options.measure) for (const [key, t] of tables) schemas.set(key, await schemaOf(upstream, t));
  const fields = new Map([...schemas].map(([key, schema]) => [key, schema.fields]));
  const reads = statements.map((s) => columnsRead(s, fields));
  const pruned: (number | undefined)[] = [];
  for (const [i, s] of statements.entries()) {
    const key = s.reads[0] && tableKey(s.reads[0]);
    const schema = key === undefined ? undefined : schemas.get(key);
    pruned.push(schema && key !== undefined ? await prunedBytes(upstream, s, reads[i]!.get(key) ?? [], schema, options).catch(() => undefined) : undefined);
  }
  const wanted = new Map<string, Set<Field>>();
  for (const [i, read] of reads.entries()) {
    if (pruned[i] !== undefined) continue;
    for (const [key, list] of read) for (const f of list) (wanted.get(key) ?? wanted.set(key, new Set()).get(key)!).add(f);
  }
  const sizes = options.measure ? await columnBytes(upstream, tables, wanted) : new Map<string, Map<string, number>>();
  return statements.map((s, i) => {
    const whole = () => [...reads[i]!].map(([key, list]) => list.reduce((sum, f) => sum + (sizes.get(key)?.get(f.name) ?? 0), 0));
    const perTable = pruned[i] !== undefined ? [pruned[i]!] : whole();
    return { kind: s.statement.kind, bytesProcessed: perTable.reduce((a, b) => a + b, 0), bytesBilled: billedBytes(perTable) };
  });
}
