// What is in the dataset: a target table's columns, creating it from the header when absent; the staging table; load_metadata.
import type { BigQuery, TableField } from '@google-cloud/bigquery';
import type { ColumnType } from '../../load/index.js';
import { bigQueryType, columnOf } from './column-types.js';
import type { TableColumn } from './column-types.js';
import { failureOf } from './errors.js';
import { METADATA_CLUSTERING, METADATA_FIELDS, METADATA_LAYOUT_LABEL, METADATA_TABLE } from './metadata-schema.js';
import { stagingColumn } from './names.js';

/** A staging table outlives a failed load by this long, so a retry of that load finds it; then it expires. */
export const STAGING_TTL_MS = 24 * 60 * 60 * 1000;

/** What landfall reads of a table resource. */
interface TableResource {
  schema?: { fields?: TableField[] };
  clustering?: { fields?: string[] };
  labels?: Record<string, string>;
}

async function resourceOf(bq: BigQuery, dataset: string, table: string): Promise<TableResource | undefined> {
  try {
    const [metadata] = await bq.dataset(dataset).table(table).getMetadata();
    return metadata as TableResource;
  } catch (error) {
    if (failureOf(error).httpStatus === 404) return undefined;
    throw error;
  }
}

async function fieldsOf(bq: BigQuery, dataset: string, table: string): Promise<TableField[] | undefined> {
  const resource = await resourceOf(bq, dataset, table);
  return resource && (resource.schema?.fields ?? []);
}

/** Creates a table; one that another loader created meanwhile is as good. */
async function create(bq: BigQuery, dataset: string, table: string, fields: TableField[], more: Record<string, unknown> = {}): Promise<void> {
  try {
    await bq.dataset(dataset).table(table).create({ schema: { fields }, ...more });
  } catch (error) {
    if (failureOf(error).httpStatus !== 409) throw error;
  }
}

/** The table's columns and their types; undefined when there is no such table. */
export async function tableColumns(bq: BigQuery, dataset: string, table: string): Promise<TableColumn[] | undefined> {
  return (await fieldsOf(bq, dataset, table))?.map(columnOf);
}

/**
 * Every landfall table: the header's columns (STRING, or the file's own types for Parquet and Avro, as BigQuery's),
 * then `_extra` (JSON) and `_load_id`. A table another loader created meanwhile is taken as it is.
 */
export async function createTargetTable(bq: BigQuery, dataset: string, table: string, header: readonly string[], types?: readonly ColumnType[]): Promise<TableColumn[]> {
  const fields: TableField[] = [
    ...header.map((name, i) => ({ name, type: types?.[i] === undefined ? 'STRING' : bigQueryType(types[i]), mode: 'NULLABLE' })),
    { name: '_extra', type: 'JSON', mode: 'NULLABLE' },
    { name: '_load_id', type: 'STRING', mode: 'NULLABLE' },
  ];
  await create(bq, dataset, table, fields);
  return (await tableColumns(bq, dataset, table)) ?? fields.map(columnOf);
}

export function stagingFields(width: number): TableField[] {
  return Array.from({ length: width }, (_, i) => ({ name: stagingColumn(i + 1), type: 'STRING', mode: 'NULLABLE' }));
}

/** A staging table of `width` positional columns, and the STRING columns a batch's hive keys fill (`_landfall_load`). */
export async function createStagingTable(bq: BigQuery, dataset: string, staging: string, width: number, keys: readonly string[] = []): Promise<void> {
  const fields = [...stagingFields(width), ...keys.map((name) => ({ name, type: 'STRING', mode: 'NULLABLE' }))];
  await create(bq, dataset, staging, fields, { expirationTime: String(Date.now() + STAGING_TTL_MS) });
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]) => a?.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Creates load_metadata when missing, clustered and marked. An older one (no `path` column, clustered otherwise or
 * not at all, or a migration cut short) gets the missing columns and the clustering in one tables.patch, and
 * `migrated` says its rows must still be rewritten (fillPaths, which then marks it): BigQuery clusters data as it is
 * written, so rows written under the old clustering stay where they are until rewritten.
 */
export async function ensureMetadataTable(bq: BigQuery, dataset: string): Promise<'created' | 'current' | 'migrated'> {
  const resource = await resourceOf(bq, dataset, METADATA_TABLE);
  const clustering = { fields: [...METADATA_CLUSTERING] };
  if (resource === undefined) {
    const labels = { [METADATA_LAYOUT_LABEL.key]: METADATA_LAYOUT_LABEL.value };
    await create(bq, dataset, METADATA_TABLE, METADATA_FIELDS.map((f) => ({ ...f })), { clustering, labels });
    return 'created';
  }
  const fields = resource.schema?.fields ?? [];
  const missing = METADATA_FIELDS.filter((f) => !fields.some((have) => have.name === f.name));
  const clustered = sameList(resource.clustering?.fields, METADATA_CLUSTERING);
  if (missing.length === 0 && clustered && resource.labels?.[METADATA_LAYOUT_LABEL.key] === METADATA_LAYOUT_LABEL.value) return 'current';
  if (missing.length > 0 || !clustered) {
    await bq.dataset(dataset).table(METADATA_TABLE).setMetadata({ schema: { fields: [...fields, ...missing.map((f) => ({ ...f }))] }, clustering });
  }
  return 'migrated';
}

/** Marks load_metadata as stored under its clustering (after the rewrite that makes it so). */
export async function markMetadataLayout(bq: BigQuery, dataset: string): Promise<void> {
  await bq.dataset(dataset).table(METADATA_TABLE).setMetadata({ labels: { [METADATA_LAYOUT_LABEL.key]: METADATA_LAYOUT_LABEL.value } });
}
