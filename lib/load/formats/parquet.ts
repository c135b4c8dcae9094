// A Parquet file's columns and record count, from its footer (read by DuckDB, which has Parquet built in).
import { TerminalError } from '../../errors.js';
import type { FileSource } from '../source.js';
import { typeOfDuckDb } from './column-types.js';
import type { ColumnType } from './column-types.js';

export interface TypedShape {
  names: string[];
  types: ColumnType[];
  /** The type as the file states it, for messages: `BIGINT`, `STRUCT(a INTEGER)`. */
  fileTypes: string[];
  records: number;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** What DuckDB says of a file that is not Parquet, in the file's terms. */
export function parquetError(file: string, error: unknown): TerminalError {
  const first = String((error as Error).message ?? error).split('\n')[0]!.replace(/^[A-Za-z ]*Error: /, '');
  return new TerminalError(`${file}: the file is not valid Parquet (${first})`, { file }, error);
}

export async function describeParquet(source: FileSource): Promise<TypedShape> {
  const path = await source.localPath();
  // Loaded here, not with the module: the matcher and the trigger import lib/load and never read a Parquet file.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const from = `read_parquet(${literal(path)})`;
    const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJS();
    const [count] = (await connection.runAndReadAll(`SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata(${literal(path)})`)).getRowObjectsJS();
    const fileTypes = columns.map((c) => String(c.column_type));
    return { names: columns.map((c) => String(c.column_name)), types: fileTypes.map(typeOfDuckDb), fileTypes, records: Number(count?.n ?? 0) };
  } catch (error) {
    throw parquetError(source.name, error);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
