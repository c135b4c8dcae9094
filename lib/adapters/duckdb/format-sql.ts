// The rows of a JSON-lines, Avro or Parquet file as DuckDB reads them: each field by position, typed where the file is.
import type { ColumnPlan, ColumnType, LoadJob } from '../../load/index.js';
import { csvRelation } from './load-sql.js';
import type { Relation } from './load-sql.js';
import { JSON_TAG } from './rows-file.js';
import type { RowsFile } from './rows-file.js';
import { ident, literal } from './sql.js';

/** landfall's column types as DuckDB's. */
function duckDbType(type: ColumnType): string {
  const numeric = /^NUMERIC\((\d+),(\d+)\)$/.exec(type);
  if (numeric) return `DECIMAL(${Math.min(Number(numeric[1]), 38)},${numeric[2]})`;
  const map: Record<string, string> = {
    STRING: 'VARCHAR',
    INT64: 'BIGINT',
    FLOAT64: 'DOUBLE',
    BOOL: 'BOOLEAN',
    DATE: 'DATE',
    TIMESTAMP: 'TIMESTAMPTZ',
    DATETIME: 'TIMESTAMP',
    TIME: 'TIME',
    BYTES: 'BLOB',
    JSON: 'JSON',
  };
  return map[type] ?? 'VARCHAR';
}

/** A field read as text (from landfall's copy of a JSON-lines or Avro file) as a value of its type. */
function fromText(value: string, type: ColumnType | undefined): string {
  if (type === undefined || type === 'STRING') return value;
  if (type === 'BYTES') return `from_base64(${value})`;
  return `CAST(${value} AS ${duckDbType(type)})`;
}

/**
 * The copy landfall writes of a JSON-lines or Avro file (jsonRowsFile): for each of the N fields its text, then for
 * each its JSON tag (NULL where the record lacks it), then an empty field. `_extra` is put together from the texts as
 * written: DuckDB's JSON functions would print numbers again (`1E2` as `100.0`, `1.50` as `1.5`).
 */
export function jsonCopyRelation(rows: Pick<RowsFile, 'path' | 'parallel' | 'longestLineBytes'>, job: Pick<LoadJob, 'header' | 'types'>): Relation {
  const width = job.header.length;
  const csv = csvRelation({ path: rows.path, columnCount: 2 * width + 1, delimiter: ',', parallel: rows.parallel, longestLineBytes: rows.longestLineBytes });
  // A string's JSON is its text's (escaped as JSON.stringify does); any other value's text is its JSON text as written.
  const json = (position: number) =>
    `CASE c${width + position} WHEN '${JSON_TAG.string}' THEN CAST(to_json(c${position}) AS VARCHAR) WHEN '${JSON_TAG.null}' THEN 'null' ELSE c${position} END`;
  const member = (position: number, key: string) => `${literal(`${JSON.stringify(key)}:`)} || ${json(position)}`;
  return {
    from: csv.from,
    field: (position) => `c${position}`,
    created: (position) => fromText(`c${position}`, job.types?.[position - 1]),
    extra: (plan: ColumnPlan) => {
      if (plan.extra.length === 0) return 'NULL';
      return `CAST(nullif('{' || concat_ws(',', ${plan.extra.map((e) => member(e.position, e.key)).join(', ')}) || '}', '{}') AS JSON)`;
    },
  };
}

/** A Parquet file's own columns; nested ones (structs, lists, maps) become JSON. */
export function parquetRelation(path: string, job: Pick<LoadJob, 'header' | 'types'>): Relation {
  const column = (position: number) => ident(job.header[position - 1]!);
  const typed = (position: number) => {
    const type = job.types?.[position - 1];
    if (type === 'JSON') return `to_json(${column(position)})`;
    return type === undefined ? column(position) : `CAST(${column(position)} AS ${duckDbType(type)})`;
  };
  return {
    from: `FROM read_parquet(${literal(path)})`,
    field: (position) => (job.types?.[position - 1] === 'JSON' ? `to_json(${column(position)})` : column(position)),
    created: typed,
    extra: (plan) => (plan.extra.length === 0 ? 'NULL' : `json_object(${plan.extra.map((e) => `${literal(e.key)}, to_json(${column(e.position)})`).join(', ')})`),
  };
}
