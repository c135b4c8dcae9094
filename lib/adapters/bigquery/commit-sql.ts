// The SQL of a BigQuery load, from validated names and escaped literals only: the row count and the one commit script.
import type { ColumnPlan } from '../../load/index.js';
import { METADATA_COLUMNS } from './metadata-schema.js';
import { BATCH_KEY, ident, intLiteral, literal, stagingColumn, tableRef, timestampLiteral } from './names.js';

export interface Where {
  project: string;
  dataset: string;
}

/**
 * The backend may load an empty field as NULL (the emulator always does; BigQuery does not, given a null marker
 * no file contains), so a staged NULL means "empty" wherever the row had that field.
 */
function value(position: number): string {
  return `COALESCE(${ident(stagingColumn(position))}, '')`;
}

/**
 * The emulator's SQLite turns `a OR b OR …` and `CONCAT(a, b, …)` into one function call, which takes at most 127
 * arguments: a wide file's terms are grouped in nested calls of at most this many (BigQuery reads them the same).
 */
const MAX_ARGS = 100;

function grouped(terms: readonly string[], join: (part: readonly string[]) => string): string {
  if (terms.length <= MAX_ARGS) return join(terms);
  const groups = Array.from({ length: Math.ceil(terms.length / MAX_ARGS) }, (_, i) => join(terms.slice(i * MAX_ARGS, (i + 1) * MAX_ARGS)));
  return grouped(groups, join);
}

const all = (terms: readonly string[], op: 'AND' | 'OR') => grouped(terms, (part) => `(${part.join(` ${op} `)})`);
const concat = (terms: readonly string[]) => grouped(terms, (part) => `CONCAT(${part.join(', ')})`);

/** True for a staged row equal to the trailer, field by field. */
function trailerMatch(trailer: readonly string[]): string {
  return all(trailer.map((field, i) => `${value(i + 1)} = ${literal(field)}`), 'AND');
}

/** A staged row holding a NUL byte in one of its `width` values. */
function nulMatch(width: number): string {
  return all(Array.from({ length: width }, (_, i) => `0 IN UNNEST(TO_CODE_POINTS(${ident(stagingColumn(i + 1))}))`), 'OR');
}

/**
 * Rows staged, how many of them equal the trailer (the trailer line is loaded with the rows, then left out), and,
 * for a reader that loads NUL bytes (`nulsOfWidth`: the staging width), how many rows hold one.
 */
export function countSql(where: Where, staging: string, trailer?: readonly string[], nulsOfWidth?: number): string {
  const from = tableRef(where.project, where.dataset, staging);
  const nuls = nulsOfWidth === undefined ? '0' : `COUNTIF(${nulMatch(nulsOfWidth)})`;
  return `SELECT COUNT(*) AS total, ${trailer ? `COUNTIF(${trailerMatch(trailer)})` : '0'} AS trailers, ${nuls} AS nuls FROM ${from}`;
}

/** `_extra` as one JSON object of the unknown columns; NULL when there are none. */
function extraExpression(plan: ColumnPlan): string {
  if (plan.extra.length === 0) return 'CAST(NULL AS JSON)';
  const pairs = plan.extra.flatMap((e, i) => [...(i === 0 ? [] : ["','"]), literal(JSON.stringify(e.key)), "':'", `TO_JSON_STRING(${value(e.position)})`]);
  return `PARSE_JSON(${concat(["'{'", ...pairs, "'}'"])})`;
}

export interface CommitInput {
  where: Where;
  table: string;
  staging: string;
  plan: ColumnPlan;
  loadId: string;
  /** The trailer's fields when the trailer line was staged with the rows: exactly one equal row is left out. */
  trailer?: readonly string[];
  replaceLoadIds: readonly string[];
  metadata: {
    filename: string;
    path: string;
    rowCount: number;
    startedAt: Date;
    sourceUri: string;
    sourceGeneration: string;
    expectedRows: number | null;
    bytes: number;
  };
}

function insertRows(input: CommitInput): string {
  const { plan, where } = input;
  const targets = [...plan.known.map((k) => ident(k.column)), '`_extra`', '`_load_id`'];
  const values = [...plan.known.map((k) => value(k.position)), extraExpression(plan), literal(input.loadId)];
  const into = `INSERT INTO ${tableRef(where.project, where.dataset, input.table)} (${targets.join(', ')})`;
  const from = tableRef(where.project, where.dataset, input.staging);
  if (!input.trailer) return `${into} SELECT ${values.join(', ')} FROM ${from}`;
  const match = trailerMatch(input.trailer);
  // Several rows may equal the trailer's text; they are identical, so leaving out any one of them is exact.
  return (
    `${into} SELECT ${values.join(', ')} FROM (SELECT *, ${match} AS _landfall_is_trailer, ` +
    `ROW_NUMBER() OVER (PARTITION BY ${match}) AS _landfall_n FROM ${from}) ` +
    'WHERE NOT (_landfall_is_trailer AND _landfall_n = 1)'
  );
}

/** The `load_metadata` values of one loaded file, in METADATA_COLUMNS order. */
function metadataValues(table: string, loadId: string, m: CommitInput['metadata']): string {
  const values = [
    literal(loadId),
    literal(m.filename),
    literal(table),
    intLiteral(m.rowCount),
    timestampLiteral(m.startedAt),
    'CURRENT_TIMESTAMP()',
    literal(m.sourceUri),
    literal(m.sourceGeneration),
    m.expectedRows === null ? 'CAST(NULL AS INT64)' : intLiteral(m.expectedRows),
    intLiteral(m.bytes),
    "'loaded'",
    'CAST(NULL AS STRING)',
    literal(m.path),
  ];
  return `(${values.join(', ')})`;
}

function insertMetadata(where: Where, rows: readonly string[]): string {
  return `INSERT INTO ${tableRef(where.project, where.dataset, 'load_metadata')} (${METADATA_COLUMNS.join(', ')}) VALUES ${rows.join(',\n')}`;
}

function replaceEarlier(where: Where, table: string, loadIds: readonly string[]): string[] {
  if (loadIds.length === 0) return [];
  const ids = `[${loadIds.map(literal).join(', ')}]`;
  return [
    `DELETE FROM ${tableRef(where.project, where.dataset, table)} WHERE \`_load_id\` IN UNNEST(${ids})`,
    `UPDATE ${tableRef(where.project, where.dataset, 'load_metadata')} SET status = 'replaced' WHERE load_id IN UNNEST(${ids})`,
  ];
}

/** One multi-statement transaction (replace earlier loads, insert the rows, record the load), then drop the staging table. */
export function commitScript(input: CommitInput): string {
  const { where } = input;
  const statements = ['BEGIN TRANSACTION', ...replaceEarlier(where, input.table, input.replaceLoadIds)];
  statements.push(
    insertRows(input),
    insertMetadata(where, [metadataValues(input.table, input.loadId, input.metadata)]),
    'COMMIT TRANSACTION',
    // DDL is not allowed inside a transaction; a staging table left by a failure here expires by itself.
    `DROP TABLE IF EXISTS ${tableRef(where.project, where.dataset, input.staging)}`,
  );
  return `${statements.join(';\n')};`;
}

/** Files of one table staged in one batch staging table under the same header: one INSERT takes them all. */
export interface BatchInsert {
  table: string;
  staging: string;
  plan: ColumnPlan;
  loadIds: readonly string[];
}

export interface BatchFile {
  table: string;
  loadId: string;
  replaceLoadIds: readonly string[];
  metadata: CommitInput['metadata'];
}

/**
 * The group commit of a batch: every earlier load the files replace, one INSERT per table and header (each row
 * keeps the `_load_id` its object's folder gave it), and one `load_metadata` INSERT for all the files.
 */
export function batchCommitScript(where: Where, inserts: readonly BatchInsert[], files: readonly BatchFile[], stagings: readonly string[]): string {
  const statements = ['BEGIN TRANSACTION', ...files.flatMap((f) => replaceEarlier(where, f.table, f.replaceLoadIds))];
  for (const insert of inserts) {
    const { plan } = insert;
    const targets = [...plan.known.map((k) => ident(k.column)), '`_extra`', '`_load_id`'];
    const values = [...plan.known.map((k) => value(k.position)), extraExpression(plan), ident(BATCH_KEY)];
    statements.push(
      `INSERT INTO ${tableRef(where.project, where.dataset, insert.table)} (${targets.join(', ')}) SELECT ${values.join(', ')} ` +
        `FROM ${tableRef(where.project, where.dataset, insert.staging)} WHERE ${ident(BATCH_KEY)} IN UNNEST([${insert.loadIds.map(literal).join(', ')}])`,
    );
  }
  statements.push(insertMetadata(where, files.map((f) => metadataValues(f.table, f.loadId, f.metadata))), 'COMMIT TRANSACTION');
  // DDL is not allowed inside a transaction; a staging table left by a failure here expires by itself.
  statements.push(...stagings.map((staging) => `DROP TABLE IF EXISTS ${tableRef(where.project, where.dataset, staging)}`));
  return `${statements.join(';\n')};`;
}

/** Rows per load in each batch staging table, and (`nulsOfWidth`, for a reader that loads them) rows holding a NUL. */
export function batchCountSql(where: Where, stagings: readonly { staging: string; width: number }[], loadsNul: boolean): string {
  return stagings
    .map(({ staging, width }) => {
      const nuls = loadsNul ? `COUNTIF(${nulMatch(width)})` : '0';
      return `SELECT ${ident(BATCH_KEY)} AS load_id, COUNT(*) AS total, ${nuls} AS nuls FROM ${tableRef(where.project, where.dataset, staging)} GROUP BY ${ident(BATCH_KEY)}`;
    })
    .join('\nUNION ALL\n');
}
