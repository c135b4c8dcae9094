// The load_metadata table in BigQuery: the same columns as DuckDB's and as terraform/bigquery.tf creates.

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
