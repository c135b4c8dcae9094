// Column types on BigQuery: landfall's types as BigQuery's, a table's fields as SQL type names, and which ones a STRING casts to.
import type { TableField } from '@google-cloud/bigquery';
import type { ColumnType } from '../../load/index.js';

/** A table column and its type as BigQuery SQL names it (`INT64`, not the tables API's `INTEGER`). */
export interface TableColumn {
  name: string;
  type: string;
}

/** NUMERIC holds 38 digits, 9 of them after the point; BIGNUMERIC 76 and 38. */
const NUMERIC_SCALE = 9;
const NUMERIC_INTEGER_DIGITS = 29;

/** landfall's column type as a BigQuery column's: `NUMERIC(p,s)` is NUMERIC where it fits, else BIGNUMERIC. */
export function bigQueryType(type: ColumnType): string {
  const numeric = /^NUMERIC\((\d+),(\d+)\)$/.exec(type);
  if (!numeric) return type;
  const [precision, scale] = [Number(numeric[1]), Number(numeric[2])];
  return scale <= NUMERIC_SCALE && precision - scale <= NUMERIC_INTEGER_DIGITS ? 'NUMERIC' : 'BIGNUMERIC';
}

const LEGACY: Readonly<Record<string, string>> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL', RECORD: 'STRUCT' };

/** A field of the tables API as a column: legacy type names as SQL's, a REPEATED field as `ARRAY`. */
export function columnOf(field: TableField): TableColumn {
  const type = (field.type ?? 'STRING').toUpperCase();
  return { name: field.name ?? '', type: field.mode === 'REPEATED' ? 'ARRAY' : (LEGACY[type] ?? type) };
}

/** The types a staged STRING is cast to (SAFE_CAST, PARSE_JSON, FROM_BASE64); a column of any other takes no file's field. */
export const CASTABLE_TYPES = ['STRING', 'INT64', 'FLOAT64', 'NUMERIC', 'BIGNUMERIC', 'BOOL', 'DATE', 'DATETIME', 'TIME', 'TIMESTAMP', 'BYTES', 'JSON'] as const;

export function castable(type: string): boolean {
  return (CASTABLE_TYPES as readonly string[]).includes(type);
}
