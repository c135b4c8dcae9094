// A file's records as text aligned to its fields, whatever the format: CSV, JSON lines and Avro read by landfall, Parquet by DuckDB.
import { jobRecords } from '../records.js';
import type { LoadJob } from '../warehouse.js';
import { textOfJson } from './json-object.js';
import type { JsonLine } from './jsonl.js';
import { jsonLines } from './jsonl.js';
import { parquetRecords } from './parquet-records.js';

export interface FieldRecord {
  /** The physical line (CSV, JSON lines) or the record's number (Avro, Parquet). */
  line: number;
  /** Field i of the job's header as a string column holds it; NULL where the record has no such field or a JSON null. */
  texts: (string | null)[];
  /** Every format but CSV: field i's JSON text (`null` for a null), undefined where the record lacks it. */
  json?: (string | undefined)[];
}

async function* aligned(objects: AsyncIterable<JsonLine>, header: readonly string[]): AsyncGenerator<FieldRecord> {
  const index = new Map(header.map((name, i) => [name, i]));
  const width = header.length;
  for await (const { line, keys, values } of objects) {
    const json: (string | undefined)[] = new Array<string | undefined>(width).fill(undefined);
    // Most records hold the header's keys in its order: a key in its place is not looked up.
    for (let k = 0; k < keys.length; k++) json[keys[k] === header[k] ? k : index.get(keys[k]!)!] = values[k];
    const texts: (string | null)[] = new Array<string | null>(width);
    for (let i = 0; i < width; i++) texts[i] = textOfJson(json[i]);
    yield { line, texts, json };
  }
}

/** What "line" means in a message about this format's records. */
export function recordWord(job: Pick<LoadJob, 'format'>): 'line' | 'record' {
  return job.format === 'avro' || job.format === 'parquet' ? 'record' : 'line';
}

/** The job's records; its fields were described from a first read of the same bytes, which checked every line. */
export async function* fieldRecords(job: LoadJob): AsyncGenerator<FieldRecord> {
  const format = job.format ?? 'csv';
  if (format === 'csv') {
    for await (const record of jobRecords(job)) yield { line: record.line, texts: record.fields };
  } else if (format === 'jsonl') {
    yield* aligned(jsonLines(job.source, job.compressed, job.table, true), job.header);
  } else if (format === 'avro') {
    const { avroRecords } = await import('./avro.js');
    yield* aligned(avroRecords(job.source), job.header);
  } else {
    yield* parquetRecords(job.source, job.header, job.types);
  }
}
