// Block pruning of a clustered table, which the emulator does not do: which rows' blocks a filtered SELECT reads.
import { ident, literal, tableRef } from '../../lib/adapters/bigquery/names.js';
import { columnSize } from './column-sizes.js';
import type { Field } from './column-sizes.js';
import type { PlannedStatement, ScalarParameter, TableId } from './plan.js';
import type { Equality } from './sql-where.js';
import type { Upstream } from './upstream.js';

/** BigQuery clusters on the first 1,024 characters of a STRING value ("Clustered table limitations"). */
export const CLUSTER_STRING_CHARS = 1024;

export interface ClusterSchema {
  fields: Field[];
  /** The table's clustering columns, in order; empty when it is not clustered. */
  clustering: string[];
}

/** A clustering column held equal to one value: its sort key and the value, as SQL. */
interface ClusterKey {
  key: string;
  value: string;
}

/** A plain '…' or "…" literal's value; undefined for raw, bytes, triple-quoted or \x/\u escapes (no pruning then). */
function stringValue(raw: string): string | undefined {
  const quote = raw[0];
  if ((quote !== "'" && quote !== '"') || raw.length < 2 || raw.startsWith(quote.repeat(3)) || raw.at(-1) !== quote) return undefined;
  const body = raw.slice(1, -1);
  if (/\\[^\\'"]/.test(body)) return undefined;
  return body.replace(/\\(.)/g, '$1');
}

/**
 * The column as BigQuery sorts it, and the value, as SQL: a STRING by its first 1,024 characters. Against a shorter
 * value, comparing the whole string decides the same, so the SUBSTR (costly on the emulator) is only written then.
 */
function keyOf(field: Field, value: Equality['value'], parameters: ReadonlyMap<string, ScalarParameter>): ClusterKey | undefined {
  const text = value.kind === 'param' ? parameters.get(value.text.slice(1).toLowerCase())?.value : value.kind === 'string' ? stringValue(value.text) : value.text;
  if (text === undefined || text === null) return undefined;
  const type = field.type.toUpperCase();
  const column = ident(field.name);
  if (type === 'INT64' || type === 'INTEGER') return /^-?\d+$/.test(text) ? { key: column, value: text } : undefined;
  if (type !== 'STRING') return undefined;
  const chars = [...text];
  if (chars.length < CLUSTER_STRING_CHARS) return { key: column, value: literal(text) };
  return { key: `SUBSTR(${column}, 1, ${CLUSTER_STRING_CHARS})`, value: literal(chars.slice(0, CLUSTER_STRING_CHARS).join('')) };
}

/** The clustering columns held equal to a value, from the first on: a gap ends what pruning can use. */
function clusterKeys(equalities: Equality[], schema: ClusterSchema, parameters: ReadonlyMap<string, ScalarParameter>): ClusterKey[] {
  const keys: ClusterKey[] = [];
  for (const name of schema.clustering) {
    const field = schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    const equality = equalities.find((e) => e.column === name.toLowerCase());
    const key = field && equality && keyOf(field, equality.value, parameters);
    if (!key) break;
    keys.push(key);
  }
  return keys;
}

/** Rows before the keys' position in clustering order (NULLs sort first), by SQL condition. */
function before(keys: ClusterKey[]): string {
  const [first, ...rest] = keys;
  const less = `(${first!.key} IS NULL OR ${first!.key} < ${first!.value})`;
  return rest.length === 0 ? less : `(${less} OR (${first!.key} = ${first!.value} AND ${before(rest)}))`;
}

/** Where the matching rows sit in the table sorted by its clustering. */
export interface Layout {
  rows: number;
  /** Logical bytes of all columns. */
  bytes: number;
  /** Logical bytes of each column, by name. */
  columns?: Map<string, number>;
  /** Rows that sort before the first matching row. */
  before: number;
  matching: number;
}

/**
 * The rows (offset, count, in clustering order) of the blocks a query must read: blocks hold `blockBytes` of rows
 * (at the table's average row size), and a block is read when its value range can hold the keys, even with no row
 * matching. None when the keys fall between two blocks or outside the table.
 */
export function touchedRows(layout: Layout, blockBytes: number): { offset: number; limit: number } {
  const { rows, bytes, matching } = layout;
  const perBlock = bytes > 0 ? Math.max(1, Math.floor((blockBytes * rows) / bytes)) : Math.max(1, rows);
  if (matching === 0 && (layout.before % perBlock === 0 || layout.before >= rows)) return { offset: 0, limit: 0 };
  const first = Math.floor(layout.before / perBlock);
  const last = Math.floor((layout.before + Math.max(matching, 1) - 1) / perBlock);
  const offset = first * perBlock;
  return { offset, limit: Math.min(rows, (last + 1) * perBlock) - offset };
}

async function layoutOf(upstream: Upstream, t: TableId, schema: ClusterSchema, keys: ClusterKey[]): Promise<Layout> {
  const equal = keys.map((k) => `${k.key} = ${k.value}`).join(' AND ');
  const sizes = schema.fields.map(columnSize);
  const sql = `SELECT COUNT(*), COUNTIF(${before(keys)}), COUNTIF(${equal})${sizes.map((c) => `, ${c}`).join('')} FROM ${tableRef(t.project, t.dataset, t.table)}`;
  const [rows = 0, before_ = 0, matching = 0, ...perColumn] = ((await upstream.query(t.project, sql))[0] ?? []).map(Number);
  const columns = new Map(schema.fields.map((f, i) => [f.name, perColumn[i] ?? 0]));
  return { rows, bytes: perColumn.reduce((a, b) => a + b, 0), before: before_, matching, columns };
}

/**
 * The bytes a single-table SELECT reads of the columns `read` when its WHERE holds the table's first clustering
 * column(s) equal to a value; undefined when pruning does not apply (not clustered, no such filter, a join …). The
 * rows of the blocks read are billed at the table's average size of each column read.
 */
export async function prunedBytes(upstream: Upstream, s: PlannedStatement, read: Field[], schema: ClusterSchema, options: { blockBytes: number; parameters: ReadonlyMap<string, ScalarParameter> }): Promise<number | undefined> {
  const t = s.reads[0];
  if (s.statement.kind !== 'select' || s.reads.length !== 1 || !t || s.target) return undefined;
  const keys = clusterKeys(s.statement.equalities, schema, options.parameters);
  if (keys.length === 0) return undefined;
  const layout = await layoutOf(upstream, t, schema, keys);
  const { limit } = touchedRows(layout, options.blockBytes);
  if (limit === 0) return 0;
  const perRow = read.reduce((sum, f) => sum + (layout.columns?.get(f.name) ?? 0), 0) / layout.rows;
  return Math.round(perRow * limit);
}
