// A Parquet file's columns and record count, from its footer (read by DuckDB, which has Parquet built in).
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
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

/**
 * DuckDB's Parquet reader takes time that doubles with each level of lists in lists, whatever the rows (a column of
 * lists 20 deep took 0.26 s to read, 25 deep 7 s, 30 deep minutes): a deeper column is refused before any is read.
 */
const MAX_PARQUET_LIST_DEPTH = 16;

interface SchemaElement {
  name: unknown;
  repetition_type: unknown;
  num_children: unknown;
}

/** Each top-level column's deepest run of repeated groups (a list, or a map, is one), from the flattened schema tree. */
function listDepths(schema: SchemaElement[]): [string, number][] {
  let next = 1;
  const walk = (): number => {
    const element = schema[next++]!;
    let deepest = 0;
    for (let child = 0; child < Number(element.num_children ?? 0); child++) deepest = Math.max(deepest, walk());
    return deepest + (element.repetition_type === 'REPEATED' ? 1 : 0);
  };
  return Array.from({ length: Number(schema[0]?.num_children ?? 0) }, () => [String(schema[next]!.name), walk()]);
}

/**
 * One in-memory DuckDB reads every Parquet file of the process, footers and records: making one takes about 30 ms, a
 * connection to it none. One thread, so a query's rows come in the file's order; each read has its own connection.
 */
let reader: Promise<DuckDBInstance> | undefined;

export function connectParquetReader(): Promise<DuckDBConnection> {
  // Loaded here, not with the module: the matcher and the trigger import lib/load and never read a Parquet file.
  reader ??= import('@duckdb/node-api').then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:', { threads: '1' }));
  return reader.then(
    (instance) => instance.connect(),
    (error: unknown) => {
      reader = undefined;
      throw error;
    },
  );
}

export async function describeParquet(source: FileSource): Promise<TypedShape> {
  const path = await source.localPath();
  const connection = await connectParquetReader();
  try {
    const from = `read_parquet(${literal(path)})`;
    const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJS();
    const schema = (await connection.runAndReadAll(`SELECT name, repetition_type, num_children FROM parquet_schema(${literal(path)})`)).getRowObjectsJS();
    const tooDeep = listDepths(schema as unknown as SchemaElement[]).find(([, depth]) => depth > MAX_PARQUET_LIST_DEPTH);
    if (tooDeep) {
      const [column, depth] = tooDeep;
      throw new TerminalError(`${source.name}: column ${column} nests lists ${depth} deep; landfall reads Parquet lists nested up to ${MAX_PARQUET_LIST_DEPTH} deep (each level more takes twice as long to read)`, { file: source.name });
    }
    const [count] = (await connection.runAndReadAll(`SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata(${literal(path)})`)).getRowObjectsJS();
    const fileTypes = columns.map((c) => String(c.column_type));
    return { names: columns.map((c) => String(c.column_name)), types: fileTypes.map(typeOfDuckDb), fileTypes, records: Number(count?.n ?? 0) };
  } catch (error) {
    throw error instanceof TerminalError ? error : parquetError(source.name, error);
  } finally {
    connection.closeSync();
  }
}
