// A Parquet file's records as text, read by an in-memory DuckDB: each value as a string column and a warehouse's CAST take it.
import type { FileSource } from '../source.js';
import type { ColumnType } from './column-types.js';
import { connectParquetReader, parquetError } from './parquet.js';

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Field `name` of type `type` as text: nested values as JSON, bytes as base64 (what BigQuery's loads take for BYTES),
 * everything else as DuckDB prints it, which BigQuery's CAST reads.
 */
function textSql(name: string, type: ColumnType | undefined): string {
  if (type === 'JSON') return `CAST(to_json(${ident(name)}) AS VARCHAR)`;
  if (type === 'BYTES') return `to_base64(${ident(name)})`;
  return `CAST(${ident(name)} AS VARCHAR)`;
}

/** Field `name` as JSON text, `null` for a null (a Parquet record has every field: none is missing). */
function jsonSql(name: string, type: ColumnType | undefined): string {
  const value = type === 'BYTES' ? `to_base64(${ident(name)})` : ident(name);
  return `COALESCE(CAST(to_json(${value}) AS VARCHAR), 'null')`;
}

export interface ParquetRecord {
  /** The record's number, 1-based, in the file's order. */
  line: number;
  texts: (string | null)[];
  json: string[];
}

/** The records of the file, streamed in the file's order. */
export async function* parquetRecords(source: FileSource, names: readonly string[], types: readonly ColumnType[] | undefined): AsyncGenerator<ParquetRecord> {
  const path = await source.localPath();
  // DuckDB here has no ICU: a TIMESTAMP WITH TIME ZONE prints in UTC (`2024-01-15 09:30:00.123456+00`).
  const connection = await connectParquetReader();
  const width = names.length;
  const columns = [...names.map((n, i) => textSql(n, types?.[i])), ...names.map((n, i) => jsonSql(n, types?.[i]))];
  let line = 0;
  try {
    const result = await connection.stream(`SELECT ${columns.join(', ')} FROM read_parquet(${literal(path)})`);
    for await (const rows of result.yieldRowsJs()) {
      for (const row of rows) {
        line++;
        yield { line, texts: row.slice(0, width) as (string | null)[], json: row.slice(width) as string[] };
      }
    }
  } catch (error) {
    // A page DuckDB cannot read fails the file, as its footer would have.
    throw parquetError(source.name, error);
  } finally {
    connection.closeSync();
  }
}
