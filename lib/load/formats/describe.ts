// A file's field names (and, where the format has them, types), checked as a table's columns, whatever its format.
import type { FileFormat } from '../../config/file-format.js';
import { gzipsWhole } from '../../config/file-format.js';
import { TerminalError } from '../../errors.js';
import { checkHeader, readHeader } from '../header.js';
import type { FileSource } from '../source.js';
import type { ColumnType } from './column-types.js';
import { describeJsonLines } from './jsonl.js';
import { describeParquet } from './parquet.js';

export interface Fields {
  header: string[];
  types?: ColumnType[];
}

export interface DescribeOptions {
  format: FileFormat;
  delimiter: string;
  compressed: boolean;
}

const SCHEMA = (noun: string) => ({ label: (column: number) => `${noun} ${column}`, whole: `the file's schema`, lineOf: () => undefined });

export async function describeFields(source: FileSource, options: DescribeOptions): Promise<Fields> {
  const { format, compressed } = options;
  const file = source.name;
  if (compressed && !gzipsWhole(format)) {
    throw new TerminalError(`${file}: a ${format} file compresses inside itself and is not read through gzip: upload it without the .gz`, { file });
  }
  if (format === 'csv') {
    const header = await readHeader(source, options);
    checkHeader(header, file);
    return { header };
  }
  if (format === 'jsonl') {
    const shape = await describeJsonLines(source, compressed);
    checkHeader(shape.keys, file, {
      label: (column) => `key ${JSON.stringify(shape.keys[column - 1])}`,
      whole: `the file's objects`,
      lineOf: (index) => shape.firstLines[index],
    });
    return { header: shape.keys };
  }
  // The Avro reader (avsc and its codecs) is loaded only for Avro files: 40 ms of every start of landfall otherwise.
  const shape = format === 'parquet' ? await describeParquet(source) : await (await import('./avro.js')).describeAvro(source);
  checkHeader(shape.names, file, SCHEMA(format === 'parquet' ? 'column' : 'field'));
  return { header: shape.names, types: shape.types };
}
