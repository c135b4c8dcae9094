// The load_metadata table in BigQuery: its columns (DuckDB's too) and clustering, as the loader and terraform make it, and its layout mark.

export const METADATA_TABLE = 'load_metadata';

export const METADATA_FIELDS = [
  { name: 'load_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'filename', type: 'STRING', mode: 'REQUIRED' },
  { name: 'table_name', type: 'STRING', mode: 'REQUIRED' },
  { name: 'row_count', type: 'INT64', mode: 'REQUIRED' },
  { name: 'started_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'completed_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'source_uri', type: 'STRING', mode: 'REQUIRED' },
  { name: 'source_generation', type: 'STRING', mode: 'REQUIRED' },
  { name: 'expected_rows', type: 'INT64', mode: 'NULLABLE' },
  { name: 'bytes', type: 'INT64', mode: 'REQUIRED' },
  { name: 'status', type: 'STRING', mode: 'REQUIRED' },
  { name: 'error', type: 'STRING', mode: 'NULLABLE' },
  // Last, and nullable, so a table made before paths were identities takes it as an added column.
  { name: 'path', type: 'STRING', mode: 'NULLABLE' },
] as const;

export const METADATA_COLUMNS = METADATA_FIELDS.map((f) => f.name);

/**
 * The "loaded before?" lookup filters `table_name = … AND path = …`: clustered on both, in that order, it reads the
 * blocks that hold that path's rows, however long the history. No partitioning: the lookup has no time filter (a
 * file loaded a year ago must still be found), so it would read a block of every partition and grow with the days.
 */
export const METADATA_CLUSTERING = ['table_name', 'path'] as const;

/**
 * A table carries this label once its rows are stored under METADATA_CLUSTERING: set at creation, and by the
 * migration only after it has rewritten the older rows (a migration cut short is taken up again at the next start).
 * Not in terraform's copy: a clustering that terraform changes in place leaves the older rows where they were, and
 * only the loader's rewrite may claim them (the provider's `labels` are non-authoritative, so it keeps this one).
 */
export const METADATA_LAYOUT_LABEL = { key: 'landfall_metadata_layout', value: 'path-clustered' } as const;

/** Where terraform reads the same definition (`local.load_metadata`): generated from the constants above. */
export const METADATA_TERRAFORM_PATH = 'terraform/load_metadata.tf.json';

/** The text of METADATA_TERRAFORM_PATH (a unit test keeps the committed file equal to it). */
export function renderMetadataTerraform(): string {
  const locals = {
    '//': 'Generated from lib/adapters/bigquery/metadata-schema.ts (UPDATE_TERRAFORM_LOCALS=1 on its unit test): do not edit.',
    locals: {
      load_metadata: {
        schema: METADATA_FIELDS,
        clustering: METADATA_CLUSTERING,
      },
    },
  };
  return `${JSON.stringify(locals, null, 2)}\n`;
}
