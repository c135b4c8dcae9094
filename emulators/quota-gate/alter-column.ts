// ALTER TABLE … ADD COLUMN / DROP COLUMN made real on the emulator, which accepts both and changes nothing (gaps doc, 25).
import { randomUUID } from 'node:crypto';
import { ident, tableRef } from '../../lib/adapters/bigquery/names.js';
import type { JobError } from './errors.js';
import { tableKey, tablePath, tableReference, tablesPath } from './plan.js';
import type { JobPlan, TableId } from './plan.js';
import { isPunct, isWord, splitStatements } from './sql-tokens.js';
import type { Token } from './sql-tokens.js';
import type { Upstream } from './upstream.js';

interface Field {
  name: string;
  type: string;
  mode?: string;
  precision?: string;
  scale?: string;
}

export interface ColumnChange {
  table: TableId;
  action: 'add' | 'drop';
  /** The added field (ADD), or a field with only the name (DROP). */
  field: Field;
  /** IF NOT EXISTS / IF EXISTS: a column already there (or not there) is no error. */
  guarded: boolean;
}

/** GoogleSQL type names → the API's (tables.insert). A type not here (STRUCT, ARRAY …) is left to the emulator. */
const API_TYPES: Readonly<Record<string, string>> = {
  STRING: 'STRING', BYTES: 'BYTES', INT64: 'INTEGER', FLOAT64: 'FLOAT', NUMERIC: 'NUMERIC', BIGNUMERIC: 'BIGNUMERIC',
  BOOL: 'BOOLEAN', DATE: 'DATE', DATETIME: 'DATETIME', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP', JSON: 'JSON',
};

/** `TYPE` or `TYPE(p)` or `TYPE(p, s)`, and nothing after it. */
function fieldOf(name: string, rest: Token[]): Field | undefined {
  const type = rest[0]?.kind === 'word' ? API_TYPES[rest[0].text.toUpperCase()] : undefined;
  if (!type) return undefined;
  if (rest.length === 1) return { name, type, mode: 'NULLABLE' };
  const [open, p, comma, s] = rest.slice(1);
  if (!isPunct(open, '(') || p?.kind !== 'number') return undefined;
  if (isPunct(comma, ')') && rest.length === 4) return { name, type, mode: 'NULLABLE', precision: p.text };
  if (!isPunct(comma, ',') || s?.kind !== 'number' || !isPunct(rest[5], ')') || rest.length !== 6) return undefined;
  return { name, type, mode: 'NULLABLE', precision: p.text, scale: s.text };
}

/** The change a query job makes when it is one `ALTER TABLE t ADD|DROP COLUMN …` with one action; undefined otherwise. */
export function columnChangeOf(plan: JobPlan, sql: string): ColumnChange | undefined {
  const statements = splitStatements(sql);
  const table = plan.statements[0]?.target;
  const tokens = statements[0];
  if (statements.length !== 1 || !table || !tokens || !isWord(tokens[0], 'ALTER') || !isWord(tokens[1], 'TABLE')) return undefined;
  const at = tokens.findIndex((t, i) => i > 2 && isWord(t, 'ADD', 'DROP') && isWord(tokens[i + 1], 'COLUMN'));
  if (at < 0) return undefined;
  const action = isWord(tokens[at], 'ADD') ? 'add' : 'drop';
  let i = at + 2;
  const guarded = isWord(tokens[i], 'IF');
  if (guarded) i += isWord(tokens[i + 1], 'NOT') ? 3 : 2;
  const name = tokens[i];
  if (name?.kind !== 'word' && name?.kind !== 'quoted') return undefined;
  const rest = tokens.slice(i + 1);
  if (action === 'drop') return rest.length === 0 ? { table, action, field: { name: name.text, type: '' }, guarded } : undefined;
  const field = fieldOf(name.text, rest);
  return field && { table, action, field, guarded };
}

/** What a table resource keeps through the rebuild besides its schema. */
const KEPT = ['description', 'friendlyName', 'labels', 'clustering', 'timePartitioning', 'rangePartitioning', 'expirationTime'] as const;

type Resource = { schema?: { fields?: Field[] } } & Partial<Record<(typeof KEPT)[number], unknown>>;

/** The schema after the change, or BigQuery's refusal; the same schema when a guarded change has nothing to do. */
function changedFields(change: ColumnChange, fields: Field[]): Field[] | JobError {
  const { name } = change.field;
  const existing = fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (change.action === 'add') {
    if (existing) return change.guarded ? fields : { reason: 'invalid', message: `Column already exists: ${name}` };
    return [...fields, change.field];
  }
  if (!existing) return change.guarded ? fields : { reason: 'invalid', message: `Column not found: ${name} in table ${tableKey(change.table)}` };
  return fields.filter((f) => f !== existing);
}

/**
 * Makes the change as BigQuery would leave the table: the rows copied aside, the table made again with the new schema
 * (and its labels, clustering …), the rows copied back into the columns both schemas have. Not atomic (a crash midway
 * loses the table): it is test machinery, which nothing else writes to meanwhile.
 */
export async function applyColumnChange(upstream: Upstream, change: ColumnChange): Promise<JobError | undefined> {
  const t = change.table;
  const got = await upstream.call<Resource>('GET', tablePath(t));
  if (got.status === 404) return { reason: 'notFound', message: `Not found: Table ${tableKey(t)}` };
  const fields = got.json.schema?.fields ?? [];
  const next = changedFields(change, fields);
  if (!Array.isArray(next)) return next;
  if (next === fields) return undefined;
  const aside: TableId = { ...t, table: `_quota_gate_alter_${randomUUID().replace(/-/g, '').slice(0, 12)}` };
  const columns = (change.action === 'add' ? fields : next).map((f) => ident(f.name)).join(', ');
  const kept = Object.fromEntries(KEPT.filter((k) => got.json[k] !== undefined).map((k) => [k, got.json[k]]));
  await upstream.call('POST', tablesPath(t), { tableReference: tableReference(aside), schema: { fields } });
  try {
    await upstream.query(t.project, `INSERT INTO ${tableRef(aside.project, aside.dataset, aside.table)} SELECT * FROM ${tableRef(t.project, t.dataset, t.table)}`);
    await upstream.call('DELETE', tablePath(t));
    await upstream.call('POST', tablesPath(t), { ...kept, tableReference: tableReference(t), schema: { fields: next } });
    await upstream.query(t.project, `INSERT INTO ${tableRef(t.project, t.dataset, t.table)} (${columns}) SELECT ${columns} FROM ${tableRef(aside.project, aside.dataset, aside.table)}`);
  } finally {
    await upstream.call('DELETE', tablePath(aside)).catch(() => undefined);
  }
  return undefined;
}
