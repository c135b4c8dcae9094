// The commit script of a BigQuery load, from validated names and escaped literals only: one transaction, staging dropped after.
import type { ColumnPlan } from '../../load/index.js';
import type { TableColumn } from './column-types.js';
import type { Where } from './count-sql.js';
import { METADATA_COLUMNS } from './metadata-schema.js';
import { BATCH_KEY, ident, intLiteral, literal, tableRef, timestampLiteral } from './names.js';
import { cast, extraExpression, trailerMatch } from './staged-sql.js';
import type { StagedFields } from './staged-sql.js';

/** The columns of a row from staging: each known field cast to its column's type, then `_extra`, then `_load_id`. */
function rowSql(fields: StagedFields, plan: ColumnPlan, columns: readonly TableColumn[], loadId: string): { targets: string[]; values: string[] } {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  return {
    targets: [...plan.known.map((k) => ident(k.column)), '`_extra`', '`_load_id`'],
    values: [...plan.known.map((k) => cast(fields, k.position, types.get(k.column) ?? 'STRING')), extraExpression(fields, plan), loadId],
  };
}

export interface CommitInput {
  where: Where;
  table: string;
  staging: string;
  fields: StagedFields;
  plan: ColumnPlan;
  /** The table's columns with their types. */
  columns: readonly TableColumn[];
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
  const { where } = input;
  const { targets, values } = rowSql(input.fields, input.plan, input.columns, literal(input.loadId));
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
  fields: StagedFields;
  plan: ColumnPlan;
  columns: readonly TableColumn[];
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
    const { targets, values } = rowSql(insert.fields, insert.plan, insert.columns, ident(BATCH_KEY));
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
