// Column types as landfall names them, the same on every warehouse (BigQuery's names); each adapter maps them to its own.

/** `NUMERIC(p,s)` carries its precision and scale; BigQuery makes it NUMERIC or BIGNUMERIC by their size. */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'DATE' | 'TIMESTAMP' | 'DATETIME' | 'TIME' | 'BYTES' | 'JSON' | `NUMERIC(${number},${number})`;

/** A Parquet column's DuckDB type (as DESCRIBE prints it) as landfall's type: nested structures become JSON. */
export function typeOfDuckDb(duck: string): ColumnType {
  const t = duck.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `NUMERIC(${Number(decimal[1])},${Number(decimal[2])})`;
  if (/[[\]]$/.test(t) || /^(STRUCT|MAP|UNION|LIST)\b/.test(t) || t === 'JSON') return 'JSON';
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER'].includes(t)) return 'INT64';
  if (['UBIGINT', 'HUGEINT', 'UHUGEINT'].includes(t)) return 'NUMERIC(38,0)';
  if (t === 'FLOAT' || t === 'DOUBLE') return 'FLOAT64';
  if (t === 'BOOLEAN') return 'BOOL';
  if (t === 'DATE') return 'DATE';
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'TIMESTAMP';
  if (t.startsWith('TIMESTAMP')) return 'DATETIME';
  if (t.startsWith('TIME')) return 'TIME';
  if (t === 'BLOB') return 'BYTES';
  return 'STRING';
}
