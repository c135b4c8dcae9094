// Stages one file in its own all-STRING table with a load job from gs://: a CSV file as it is, or an NDJSON copy landfall writes.
import type { BigQuery } from '@google-cloud/bigquery';
import type { Storage } from '@google-cloud/storage';
import { parse } from 'csv-parse/sync';
import { TerminalError } from '../../errors.js';
import { MAX_COLUMNS, NULL_MARKER, fieldRecords, firstBadRecord, firstRecord, jobRecords } from '../../load/index.js';
import type { LoadJob } from '../../load/index.js';
import { stagedFieldsOf } from './casts.js';
import { failureOf, isCsvFailure } from './errors.js';
import { runJob, throwIfFailed } from './jobs.js';
import { jobId, stagingColumn, stagingTable } from './names.js';
import { stagingWidth } from './staged-sql.js';
import { createStagingTable, stagingFields } from './tables.js';

/** What the backend's CSV reader gets right; anything else goes through an NDJSON copy. */
export interface CsvReader {
  /** `ascii`: any one-byte delimiter (BigQuery); `comma`: only `,` (the emulator ignores `fieldDelimiter`). */
  delimiters: 'ascii' | 'comma';
  /** Reads `.gz` objects (BigQuery does; the emulator does not). */
  gzip: boolean;
  /** Keeps a CRLF inside a quoted value (the emulator's Go reader turns it into LF). */
  keepsCrlfInValues: boolean;
  /** Loads a NUL byte inside a value (the emulator does; BigQuery refuses the file): the staged rows are checked. */
  loadsNul: boolean;
}

export const BIGQUERY_CSV: CsvReader = { delimiters: 'ascii', gzip: true, keepsCrlfInValues: true, loadsNul: false };
export const EMULATOR_CSV: CsvReader = { delimiters: 'comma', gzip: false, keepsCrlfInValues: false, loadsNul: true };

const TAIL_MAX_BYTES = 64 * 1024;
const HEAD_PROBE_BYTES = 4 * 1024;

export interface StagingContext {
  bq: BigQuery;
  storage: Storage;
  project: string;
  dataset: string;
  location?: string;
  reader: CsvReader;
  /** Where NDJSON copies go: `gs://bucket/prefix…`; they are deleted after the load. */
  copies: { bucket: string; prefix: string };
}

export interface Staged {
  staging: string;
  /** The trailer's fields when its line was staged with the rows (it is left out when inserting). */
  trailer?: string[];
  /** The copy (NDJSON, or the object under a plain name) to delete once the load is over. */
  copy?: { bucket: string; name: string };
  /** Bytes of the object asked for here (head probe and tail; served from `loadFile`'s reads when they cover them). */
  bytesRead: number;
}

function gsObject(uri: string, file: string): { bucket: string; name: string } {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new TerminalError(`${file}: BigQuery loads from gs:// objects only, not ${uri}`, { file });
  return { bucket: match[1]!, name: match[2]! };
}

/** The trailer line's fields from a ranged read of the object's end; undefined when it is not there in one read. */
async function trailerFields(job: LoadJob): Promise<{ fields?: string[]; bytesRead: number }> {
  if (job.trailerOffset === undefined || job.compressed) return { bytesRead: 0 };
  const length = job.source.bytes - job.trailerOffset;
  if (length > TAIL_MAX_BYTES) return { bytesRead: 0 };
  const tail = await job.source.readTail(length);
  const line = tail.toString('utf8').replace(/[\r\n\s]+$/, '');
  const records = parse(line, { delimiter: job.delimiter, relax_column_count: true, relax_quotes: true }) as string[][];
  return { fields: records.length === 1 ? records[0] : undefined, bytesRead: tail.length };
}

/** Whether the header line ends in CRLF, from a small ranged read (values may then hold CRLF too). */
async function crlfFile(job: LoadJob): Promise<{ crlf: boolean; bytesRead: number }> {
  const head = await job.source.readHead(Math.min(HEAD_PROBE_BYTES, job.source.bytes));
  const end = firstRecord(head, job.delimiter)?.end ?? -1;
  return { crlf: end < 0 || head[end - 2] === 0x0d, bytesRead: head.length };
}

async function readsNatively(job: LoadJob, reader: CsvReader, trailer: string[] | undefined): Promise<{ native: boolean; bytesRead: number }> {
  if ((job.format ?? 'csv') !== 'csv') return { native: false, bytesRead: 0 };
  const delimiterOk = reader.delimiters === 'comma' ? job.delimiter === ',' : /^[\x01-\x7f]$/.test(job.delimiter);
  const trailerOk = job.trailerOffset === undefined || trailer?.length === job.header.length;
  if (!delimiterOk || (job.compressed && !reader.gzip) || !trailerOk) return { native: false, bytesRead: 0 };
  if (reader.keepsCrlfInValues) return { native: true, bytesRead: 0 };
  const probe = await crlfFile(job);
  return { native: !probe.crlf, bytesRead: probe.bytesRead };
}

/** A copy stages each field twice (StagedFields): a file of more than half of BigQuery's 10,000 columns cannot be staged. */
export function checkStagingWidth(job: LoadJob): void {
  const width = stagingWidth(stagedFieldsOf(job));
  if (width <= MAX_COLUMNS) return;
  const file = job.source.name;
  const what = `its ${job.header.length} fields need ${width} staging columns on BigQuery (each field's text and its JSON text), more than the ${MAX_COLUMNS} a table may have`;
  throw new TerminalError(`${file}: ${what}`, { file, table: job.table });
}

/** Where a load job reads: its objects, and for a batch the prefix under which each object's folder names its load. */
export interface LoadSource {
  uris: string[];
  /** `gs://…/{_landfall_load:STRING}`: each object sits under `_landfall_load=<load id>/`, which becomes a column. */
  hivePrefix?: string;
}

export function loadConfiguration(ctx: StagingContext, staging: string, width: number, from: LoadSource, job: LoadJob, csv: boolean): Record<string, unknown> {
  const common = {
    sourceUris: from.uris,
    ...(from.hivePrefix ? { hivePartitioningOptions: { mode: 'CUSTOM', sourceUriPrefix: from.hivePrefix } } : {}),
    destinationTable: { projectId: ctx.project, datasetId: ctx.dataset, tableId: staging },
    schema: { fields: stagingFields(width) },
    writeDisposition: 'WRITE_TRUNCATE',
    createDisposition: 'CREATE_NEVER',
    maxBadRecords: 0,
    ignoreUnknownValues: false,
  };
  if (!csv) return { load: { ...common, sourceFormat: 'NEWLINE_DELIMITED_JSON' } };
  return {
    load: {
      ...common,
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      fieldDelimiter: job.delimiter,
      quote: '"',
      allowQuotedNewlines: true,
      allowJaggedRows: false,
      encoding: 'UTF-8',
      // An empty field loads as '' and only a missing one as NULL (BigQuery's default marker is the empty string).
      nullMarker: NULL_MARKER,
    },
  };
}

/**
 * The staged values of each record: a CSV file's fields (checked, trailer left out); for any other format each field's
 * text, then each field's JSON text (see StagedFields). A NULL is left out of the row, which loads it as NULL.
 */
async function* copyRows(job: LoadJob): AsyncGenerator<Record<string, string>> {
  if ((job.format ?? 'csv') === 'csv') {
    for await (const record of jobRecords(job)) yield Object.fromEntries(record.fields.map((value, i) => [stagingColumn(i + 1), value]));
    return;
  }
  const width = job.header.length;
  for await (const record of fieldRecords(job)) {
    const row: Record<string, string> = {};
    record.texts.forEach((text, i) => text !== null && (row[stagingColumn(i + 1)] = text));
    record.json!.forEach((json, i) => json !== undefined && (row[stagingColumn(width + i + 1)] = json));
    yield row;
  }
}

/** Writes the rows as NDJSON keyed by staging column: every backend reads that exactly. */
export async function writeCopy(ctx: StagingContext, job: LoadJob, name = `${ctx.copies.prefix}${job.loadId}.ndjson`): Promise<{ bucket: string; name: string }> {
  const copy = { bucket: ctx.copies.bucket, name };
  const out = ctx.storage.bucket(copy.bucket).file(copy.name).createWriteStream({ resumable: false, contentType: 'application/x-ndjson' });
  const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  try {
    for await (const row of copyRows(job)) {
      if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise((r) => out.once('drain', r));
    }
  } catch (error) {
    out.destroy();
    throw error;
  }
  out.end();
  await done;
  return copy;
}

/** A load job that the reader refused is bad data: find and name the bad line (reading the file, on this path only). */
async function explainLoadFailure(error: unknown, job: LoadJob): Promise<unknown> {
  const failure = failureOf(error);
  if (!isCsvFailure(failure) || (job.format ?? 'csv') !== 'csv') return error;
  const bad = await firstBadRecord(jobRecords(job));
  if (bad) throw bad;
  return new TerminalError(`${job.source.name}: ${failure.message.split('\n')[0]}`, { file: job.source.name, table: job.table }, error);
}

/**
 * A load job reads `*` in a source URI as a wildcard, so `orders_*x.csv` would load its neighbours too: such an object
 * is first copied (inside the storage service, never through here) to a name the load chose.
 */
async function plainName(ctx: StagingContext, job: LoadJob, object: { bucket: string; name: string }): Promise<{ bucket: string; name: string; copied: boolean }> {
  if (!object.name.includes('*')) return { ...object, copied: false };
  const name = `${ctx.copies.prefix}${job.loadId}${job.compressed ? '.csv.gz' : '.csv'}`;
  const target = ctx.storage.bucket(ctx.copies.bucket).file(name);
  const generation = job.source.object?.generation ?? (await job.source.generation);
  await ctx.storage.bucket(object.bucket).file(object.name, { generation: Number(generation) }).copy(target);
  return { bucket: ctx.copies.bucket, name, copied: true };
}

/**
 * How a batch stages the file: a CSV file as it is (`csv`) when there is no trailer to leave out and the reader takes
 * its delimiter, compression and line ends; else (and every other format) as the NDJSON copy landfall writes (`ndjson`).
 */
export async function batchFormat(reader: CsvReader, job: LoadJob): Promise<'csv' | 'ndjson'> {
  if (job.trailerOffset !== undefined) return 'ndjson';
  return (await readsNatively(job, reader, undefined)).native ? 'csv' : 'ndjson';
}

export async function stage(ctx: StagingContext, job: LoadJob): Promise<Staged> {
  const tail = await trailerFields(job);
  const probe = await readsNatively(job, ctx.reader, tail.fields);
  const staging = stagingTable(job.loadId);
  const width = stagingWidth(stagedFieldsOf(job));
  await createStagingTable(ctx.bq, ctx.dataset, staging, width);
  const copy = probe.native ? undefined : await writeCopy(ctx, job);
  const source = copy ? { ...copy, copied: true } : await plainName(ctx, job, job.source.object ?? gsObject(job.source.uri, job.source.name));
  const uri = `gs://${source.bucket}/${source.name}`;
  try {
    const config = loadConfiguration(ctx, staging, width, { uris: [uri] }, job, copy === undefined);
    const finished = await runJob(ctx.bq, jobId('stage', job.loadId), config, ctx.location);
    throwIfFailed(finished.metadata);
  } catch (error) {
    throw await explainLoadFailure(error, job);
  }
  return {
    staging,
    ...(probe.native && tail.fields ? { trailer: tail.fields } : {}),
    ...(source.copied ? { copy: { bucket: source.bucket, name: source.name } } : {}),
    bytesRead: tail.bytesRead + probe.bytesRead,
  };
}
