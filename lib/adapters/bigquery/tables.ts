// What is in the dataset: a target table's columns, creating it from the header when absent; the staging table; load_metadata.
import type { BigQuery, TableField } from '@google-cloud/bigquery';
import { failureOf } from './errors.js';
import { METADATA_FIELDS, METADATA_TABLE } from './metadata-schema.js';
import { stagingColumn } from './names.js';

/** A staging table outlives a failed load by this long, so a retry of that load finds it; then it expires. */
export const STAGING_TTL_MS = 24 * 60 * 60 * 1000;

async function fieldsOf(bq: BigQuery, dataset: string, table: string): Promise<TableField[] | undefined> {
  try {
    const [metadata] = await bq.dataset(dataset).table(table).getMetadata();
    return (metadata.schema?.fields ?? []) as TableField[];
  } catch (error) {
    if (failureOf(error).httpStatus === 404) return undefined;
    throw error;
  }
}

/** Creates a table; one that another loader created meanwhile is as good. */
async function create(bq: BigQuery, dataset: string, table: string, fields: TableField[], expiresAt?: Date): Promise<void> {
  try {
    await bq.dataset(dataset).table(table).create({ schema: { fields }, ...(expiresAt ? { expirationTime: String(expiresAt.getTime()) } : {}) });
  } catch (error) {
    if (failureOf(error).httpStatus !== 409) throw error;
  }
}

export async function tableColumns(bq: BigQuery, dataset: string, table: string): Promise<string[] | undefined> {
  return (await fieldsOf(bq, dataset, table))?.map((f) => f.name ?? '');
}

/** Every landfall table: the header's columns as STRING, then `_extra` (JSON) and `_load_id`. */
export async function createTargetTable(bq: BigQuery, dataset: string, table: string, header: readonly string[]): Promise<string[]> {
  const fields: TableField[] = [
    ...header.map((name) => ({ name, type: 'STRING', mode: 'NULLABLE' })),
    { name: '_extra', type: 'JSON', mode: 'NULLABLE' },
    { name: '_load_id', type: 'STRING', mode: 'NULLABLE' },
  ];
  await create(bq, dataset, table, fields);
  return (await tableColumns(bq, dataset, table)) ?? fields.map((f) => f.name ?? '');
}

export function stagingFields(width: number): TableField[] {
  return Array.from({ length: width }, (_, i) => ({ name: stagingColumn(i + 1), type: 'STRING', mode: 'NULLABLE' }));
}

/** A staging table of `width` positional columns, and the STRING columns a batch's hive keys fill (`_landfall_load`). */
export async function createStagingTable(bq: BigQuery, dataset: string, staging: string, width: number, keys: readonly string[] = []): Promise<void> {
  const fields = [...stagingFields(width), ...keys.map((name) => ({ name, type: 'STRING', mode: 'NULLABLE' }))];
  await create(bq, dataset, staging, fields, new Date(Date.now() + STAGING_TTL_MS));
}

/**
 * Creates load_metadata when missing; one from before paths were identities gets the `path` column, filled with each
 * row's file name (what a file directly under the landing prefix has as path now). Says whether rows need that fill.
 */
export async function ensureMetadataTable(bq: BigQuery, dataset: string): Promise<'created' | 'current' | 'migrated'> {
  const fields = await fieldsOf(bq, dataset, METADATA_TABLE);
  if (fields === undefined) {
    await create(bq, dataset, METADATA_TABLE, METADATA_FIELDS.map((f) => ({ ...f })));
    return 'created';
  }
  const missing = METADATA_FIELDS.filter((f) => !fields.some((have) => have.name === f.name));
  if (missing.length === 0) return 'current';
  await bq.dataset(dataset).table(METADATA_TABLE).setMetadata({ schema: { fields: [...fields, ...missing.map((f) => ({ ...f }))] } });
  return 'migrated';
}
