// A column's logical size as BigQuery bills it ("Data type sizes"), as SQL the emulator runs: per value, per column, per row.
import { ident } from '../../lib/adapters/bigquery/names.js';

export interface Field {
  name: string;
  type: string;
  mode?: string;
}

/** One value's size: STRING 2 + UTF-8 bytes, INT64 8, BOOL 1, NULL 0 … (NULL for a NULL value, which SUM skips). */
export function cellSize(field: Field): string {
  const c = ident(field.name);
  const type = field.type.toUpperCase();
  // Arrays and structs: the JSON text stands in for the sum of their parts (an approximation, see docs/bigquery-emulator-gaps.md).
  if (field.mode === 'REPEATED' || type === 'RECORD' || type === 'STRUCT' || type === 'JSON') return `BYTE_LENGTH(TO_JSON_STRING(${c}))`;
  if (type === 'STRING' || type === 'BYTES') return `BYTE_LENGTH(${c}) + 2`;
  const width = type === 'BOOL' || type === 'BOOLEAN' ? 1 : type === 'BIGNUMERIC' || type === 'BIGDECIMAL' ? 32 : 8;
  const wide = ['NUMERIC', 'DECIMAL', 'INTERVAL', 'RANGE', 'GEOGRAPHY'].includes(type) ? 16 : width;
  return `IF(${c} IS NULL, NULL, ${wide})`;
}

/** SQL that sums one column's size over the rows it reads from. */
export function columnSize(field: Field): string {
  return `IFNULL(SUM(${cellSize(field)}), 0)`;
}

/** SQL for one row's size, all of `fields`. */
export function rowSize(fields: readonly Field[]): string {
  return fields.length === 0 ? '0' : `(${fields.map((f) => `IFNULL(${cellSize(f)}, 0)`).join(' + ')})`;
}
