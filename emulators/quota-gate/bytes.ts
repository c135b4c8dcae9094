// Bytes a query job processes and is billed, by BigQuery's on-demand rules, from the emulator's data as it stands.
import { ident, tableRef } from '../../lib/adapters/bigquery/names.js';
import type { StatementCharge } from './bill.js';
import { tableKey } from './plan.js';
import { isDml } from './sql-statements.js';
import type { PlannedStatement, TableId } from './plan.js';
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

interface Field {
  name: string;
  type: string;
  mode?: string;
}

/** SQL that sums one column's logical size ("Data type sizes": STRING 2 + UTF-8 bytes, INT64 8, BOOL 1, NULL 0 …). */
function sizeOf(field: Field): string {
  const c = ident(field.name);
  const type = field.type.toUpperCase();
  // Arrays and structs: the JSON text stands in for the sum of their parts (an approximation, see docs/quota-gate.md).
  if (field.mode === 'REPEATED' || type === 'RECORD' || type === 'STRUCT' || type === 'JSON') return `IFNULL(SUM(BYTE_LENGTH(TO_JSON_STRING(${c}))), 0)`;
  if (type === 'STRING' || type === 'BYTES') return `IFNULL(SUM(BYTE_LENGTH(${c}) + 2), 0)`;
  if (type === 'BOOL' || type === 'BOOLEAN') return `COUNT(${c})`;
  if (type === 'BIGNUMERIC' || type === 'BIGDECIMAL') return `COUNT(${c}) * 32`;
  if (type === 'NUMERIC' || type === 'DECIMAL' || type === 'INTERVAL' || type === 'RANGE' || type === 'GEOGRAPHY') return `COUNT(${c}) * 16`;
  return `COUNT(${c}) * 8`;
}

async function fieldsOf(upstream: Upstream, t: TableId): Promise<Field[]> {
  const path = `/projects/${encodeURIComponent(t.project)}/datasets/${encodeURIComponent(t.dataset)}/tables/${encodeURIComponent(t.table)}`;
  const { status, json } = await upstream.call<{ schema?: { fields?: Field[] } }>('GET', path);
  return status === 200 ? (json.schema?.fields ?? []) : [];
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
      const [row] = await upstream.query(t.project, `SELECT ${list.map(sizeOf).join(', ')} FROM ${tableRef(t.project, t.dataset, t.table)}`);
      sizes.set(key, new Map(list.map((f, i) => [f.name, Number(row?.[i] ?? 0)])));
    } catch {
      sizes.set(key, new Map());
    }
  }
  return sizes;
}

/**
 * Each statement's bytes processed and billed, measured before the job runs (a statement that reads what an earlier
 * one of the same script wrote is measured as the table was before the script). `measure: false` asks the emulator
 * nothing and charges the minimums only.
 */
export async function chargeStatements(upstream: Upstream, statements: PlannedStatement[], measure: boolean): Promise<StatementCharge[]> {
  const tables = new Map<string, TableId>();
  for (const s of statements) for (const t of [...s.reads, ...(s.target ? [s.target] : [])]) tables.set(tableKey(t), t);
  const schemas = new Map<string, Field[]>();
  if (measure) for (const [key, t] of tables) schemas.set(key, await fieldsOf(upstream, t));
  const reads = statements.map((s) => columnsRead(s, schemas));
  const wanted = new Map<string, Set<Field>>();
  for (const read of reads) for (const [key, fields] of read) for (const f of fields) (wanted.get(key) ?? wanted.set(key, new Set()).get(key)!).add(f);
  const sizes = measure ? await columnBytes(upstream, tables, wanted) : new Map<string, Map<string, number>>();
  return statements.map((s, i) => {
    const perTable = [...reads[i]!].map(([key, fields]) => fields.reduce((sum, f) => sum + (sizes.get(key)?.get(f.name) ?? 0), 0));
    return { kind: s.statement.kind, bytesProcessed: perTable.reduce((a, b) => a + b, 0), bytesBilled: billedBytes(perTable) };
  });
}
