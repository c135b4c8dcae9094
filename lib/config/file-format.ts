// What a data file holds, from its name or the mapping's `format:`: CSV (the default), JSON lines, Parquet or Avro.

export const FILE_FORMATS = ['csv', 'jsonl', 'parquet', 'avro'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

const BY_EXTENSION: Readonly<Record<string, FileFormat>> = {
  csv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
  parquet: 'parquet',
  avro: 'avro',
};

/** The format a name's extension (before any `.gz`) says, or undefined when it says none: `a.jsonl.gz` → `jsonl`. */
export function formatOfName(name: string): FileFormat | undefined {
  const plain = name.toLowerCase().replace(/\.gz$/, '');
  const dot = plain.lastIndexOf('.');
  return dot < 0 ? undefined : BY_EXTENSION[plain.slice(dot + 1)];
}

/** A format whose files may come gzipped as a whole (`.gz`); Parquet and Avro compress inside the file. */
export function gzipsWhole(format: FileFormat): boolean {
  return format === 'csv' || format === 'jsonl';
}
