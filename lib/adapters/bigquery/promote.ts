// `landfall promote` on BigQuery: every check first, then the column (DDL cannot run in a transaction), then one transaction fills it.
import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import { LandfallError, TerminalError, TransientError } from '../../errors.js';
import { castFailure, checkPromotable, keysOf, noSuchField, spelledTwice } from '../../promote/index.js';
import type { ColumnKind, ColumnType, Promote, PromoteRequest, PromoteResult } from '../../promote/index.js';
import { classifyBigQueryError } from './errors.js';
import { runJob, throwIfFailed } from './jobs.js';
import { query } from './metadata.js';
import type { Where } from './metadata.js';
import { columnNameProblem, ident, literal, tableIdProblem, tableRef } from './names.js';
import { tableColumns } from './tables.js';

export interface BigQueryPromoteOptions {
  bq: BigQuery;
  project: string;
  dataset: string;
  location?: string;
}

const TYPES: Readonly<Record<ColumnKind, string>> = {
  string: 'STRING',
  integer: 'INT64',
  bigint: 'INT64',
  double: 'FLOAT64',
  decimal: 'NUMERIC',
  boolean: 'BOOL',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

/** BigQuery's name of the type. NUMERIC(P, S) takes 0 ≤ S ≤ 9 and P ≤ S + 29 (docs, "Parameterized decimal type"). */
export function bigqueryType(type: ColumnType): string {
  if (type.precision === undefined) return TYPES[type.kind];
  const written = `NUMERIC(${type.precision}, ${type.scale ?? 0})`;
  const scale = type.scale ?? 0;
  if (scale > 9 || type.precision > scale + 29) throw new TerminalError(`--type ${written}: BigQuery's NUMERIC takes a scale up to 9 and a precision up to the scale + 29`);
  return written;
}

/**
 * A JSONPath to a top-level key, as GoogleSQL writes one itself (ConvertJSONPathTokenToSqlStandardMode): bare when
 * the key holds only letters, digits, `_`, `-`, `:` and white space, else in double quotes with `"` escaped.
 */
export function jsonPath(key: string): string {
  if (/^[\p{L}\p{N}_\-:\t\n\f\r ]+$/u.test(key)) return `$.${key}`;
  return `$."${key.replaceAll('"', '\\"')}"`;
}

/** JSON_KEYS quotes a key that holds special characters (`"h i"`, `"a\"b"`): the key itself. */
function unquoted(key: string): string {
  return key.length >= 2 && key.startsWith('"') && key.endsWith('"') ? key.slice(1, -1).replace(/\\(["\\])/g, '$1') : key;
}

/** The SQL of one promotion. `_extra[key]` reads a key by its name, no path involved; only JSON_REMOVE needs paths. */
function promotionSql(where: Where, table: string, keys: readonly string[], type: string) {
  const values = keys.map((k) => `\`_extra\`[${literal(k)}]`);
  const json = values.length === 1 ? values[0]! : `COALESCE(${values.join(', ')})`;
  // JSON_VALUE gives a string's text, a number's or bool's JSON text and NULL for a JSON null; an object or array is
  // its JSON text. An empty text is no value to a typed column.
  const text = `IF(${json} IS NULL, NULL, IF(JSON_TYPE(${json}) IN ('object', 'array'), TO_JSON_STRING(${json}), JSON_VALUE(${json})))`;
  const rest = `JSON_REMOVE(\`_extra\`, ${keys.map((k) => literal(jsonPath(k))).join(', ')})`;
  return {
    table: tableRef(where.project, where.dataset, table),
    present: values.map((v) => `${v} IS NOT NULL`).join(' OR '),
    text: type === 'STRING' ? text : `NULLIF(${text}, '')`,
    cast: (value: string, safe: boolean) => (type === 'STRING' ? value : type === 'JSON' ? `${safe ? 'SAFE.' : ''}PARSE_JSON(${value})` : `${safe ? 'SAFE_CAST' : 'CAST'}(${value} AS ${type})`),
    rest: `IF(TO_JSON_STRING(${rest}) = '{}', NULL, ${rest})`,
    twice: `(${values.map((v) => `IF(${v} IS NULL, 0, 1)`).join(' + ')}) > 1`,
  };
}

type PromotionSql = ReturnType<typeof promotionSql>;

/** How many rows hold the field; refuses, naming the first row by `_load_id`, two spellings in a row or a value that does not cast. */
async function checkValues(options: BigQueryPromoteOptions, where: Where, request: PromoteRequest, sql: PromotionSql, keys: string[], type: string): Promise<number> {
  const { bq } = options;
  const [counted] = await query(bq, where, `SELECT COUNTIF(${sql.present}) AS n FROM ${sql.table}`);
  if (keys.length > 1) {
    const [twice] = await query(bq, where, `SELECT \`_load_id\` FROM ${sql.table} WHERE ${sql.twice} ORDER BY \`_load_id\` LIMIT 1`);
    if (twice) throw spelledTwice(request, String(twice._load_id), keys);
  }
  if (type !== 'STRING') {
    const [bad] = await query(
      bq,
      where,
      `SELECT \`_load_id\`, v FROM (SELECT \`_load_id\`, ${sql.text} AS v FROM ${sql.table} WHERE ${sql.present}) ` +
        `WHERE v IS NOT NULL AND ${sql.cast('v', true)} IS NULL ORDER BY \`_load_id\`, v LIMIT 1`,
    );
    if (bad) throw castFailure(request, type, String(bad._load_id), String(bad.v));
  }
  return Number(counted?.n ?? 0);
}

async function runScript(options: BigQueryPromoteOptions, base: string, script: string): Promise<void> {
  const finished = await runJob(options.bq, base, { query: { query: script, useLegacySql: false } }, options.location);
  throwIfFailed(finished.metadata);
}

/**
 * The fill failed (and its transaction rolled back): the column added just before is dropped again, so nothing is
 * changed. Should that fail too, the message says what is left and how to clear it.
 */
async function undoColumn(options: BigQueryPromoteOptions, base: string, request: PromoteRequest, sql: PromotionSql, failure: unknown): Promise<LandfallError> {
  const cause = classifyBigQueryError(failure, { table: request.table });
  const drop = `ALTER TABLE ${sql.table} DROP COLUMN ${ident(request.field)}`;
  const undone = await runScript(options, `${base}_drop`, drop).then(
    () => 'the column was dropped again: nothing changed',
    (error: unknown) =>
      `dropping the column again failed too (${classifyBigQueryError(error, {}).message}): the column is there, empty, and _extra still ` +
      `holds the field; run \`${drop}\` before promoting again`,
  );
  const message = `cannot promote ${request.table}.${request.field}: filling the new column failed (${cause.message}); ${undone}`;
  return cause.retryable ? new TransientError(message, cause.context, failure) : new TerminalError(message, cause.context, failure);
}

async function promote(options: BigQueryPromoteOptions, request: PromoteRequest): Promise<PromoteResult> {
  const { table, field } = request;
  const problem = tableIdProblem(table) ?? columnNameProblem(field);
  if (problem) throw new TerminalError(`cannot promote ${table}.${field}: ${problem}`, { table });
  const where: Where = { project: options.project, dataset: options.dataset, ...(options.location ? { location: options.location } : {}) };
  checkPromotable(request, (await tableColumns(options.bq, options.dataset, table))?.map((c) => c.name), 'STRING');
  const type = bigqueryType(request.type);
  const found = await query(options.bq, where, `SELECT DISTINCT k FROM ${tableRef(where.project, where.dataset, table)}, UNNEST(JSON_KEYS(\`_extra\`, 1)) AS k`);
  const keys = keysOf(field, found.map((row) => unquoted(String(row.k))));
  if (keys.length === 0) throw noSuchField(request);
  const sql = promotionSql(where, table, keys, type);
  const rows = await checkValues(options, where, request, sql, keys, type);
  const base = `landfall_promote_${randomUUID().replace(/-/g, '')}`;
  await runScript(options, `${base}_add`, `ALTER TABLE ${sql.table} ADD COLUMN ${ident(field)} ${type}`);
  const update = `UPDATE ${sql.table} SET ${ident(field)} = ${sql.cast(sql.text, false)}, \`_extra\` = ${sql.rest} WHERE ${sql.present}`;
  try {
    await runScript(options, `${base}_fill`, `BEGIN TRANSACTION;\n${update};\nCOMMIT TRANSACTION;`);
  } catch (error) {
    throw await undoColumn(options, base, request, sql, error);
  }
  return { table, column: field, type, rows, keys };
}

/** The promotion port on one dataset. */
export function bigqueryPromote(options: BigQueryPromoteOptions): Promote {
  return async (request) => {
    try {
      return await promote(options, request);
    } catch (error) {
      throw classifyBigQueryError(error, { table: request.table });
    }
  };
}
