// The file DuckDB's reader opens for a load: always under a name landfall chose, so no path is ever read as a glob.
import { createReadStream } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { copyPlainPrefix, dataRecords, fieldRecords, writeCanonicalCsv } from '../../load/index.js';
import type { LoadJob } from '../../load/index.js';

/** A path DuckDB reads as itself: nothing in it that a glob (or anything else) expands. */
const PLAIN_PATH = /^[A-Za-z0-9_./-]+$/;

export interface RowsFile {
  /** The source's own file when its path is plain, else `landfall-<loadId>.csv` in the temp folder: a link to it, or a plain copy. */
  path: string;
  /** How DuckDB reads it: the mapping's delimiter, or `,` for a canonical copy. */
  delimiter: string;
  /**
   * DuckDB's parallel reader, which refuses null padding beside quoted line breaks: off for a canonical copy only,
   * which keeps every rule (DuckDB's one-pass reader drops a last record whose quote never closes).
   */
  parallel: boolean;
  /** A canonical copy (every value quoted, LF, no blank lines): any reader takes it, so nothing is tried after it. */
  canonical: boolean;
  /** The longest row's bytes, in a canonical copy holding a row longer than MAX_LINE_BYTES: the reader's line limit. */
  longestLineBytes?: number;
  /** The trailer's physical line, counted while copying the rows before it. */
  trailerLine?: number;
  cleanup: () => Promise<void>;
}

async function tempPath(job: LoadJob, tempDirectory: string, suffix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  await mkdir(tempDirectory, { recursive: true });
  const path = join(tempDirectory, `landfall-${job.loadId}${suffix}`);
  const cleanup = () => rm(path, { force: true });
  await cleanup();
  return { path, cleanup };
}

/**
 * DuckDB expands `*`, `?` and `[…]` in a read_csv path, so `orders_?.csv` would read its neighbours too: a path with
 * anything but letters, digits and `_./-` reaches the reader as a link (or a copy) named by the load id instead. A
 * gzip or trailer file is copied out as plain rows (zlib checks a gzip stream to its end, DuckDB's reader does not).
 */
export async function rowsFile(job: LoadJob, tempDirectory: string): Promise<RowsFile> {
  if (job.format === 'jsonl' || job.format === 'avro') return jsonRowsFile(job, tempDirectory);
  const read = { delimiter: job.delimiter, parallel: true, canonical: false };
  const whole = !job.compressed && job.trailerOffset === undefined;
  const local = whole ? await job.source.localPath() : undefined;
  if (local !== undefined && PLAIN_PATH.test(local)) return { path: local, ...read, cleanup: async () => undefined };
  const { path, cleanup } = await tempPath(job, tempDirectory, `.${job.format ?? 'csv'}`);
  try {
    if (local !== undefined) {
      await symlink(local, path);
      return { path, ...read, cleanup };
    }
    const { newlines } = await copyPlainPrefix(job.source, path, { compressed: job.compressed, ...(job.trailerOffset === undefined ? {} : { endOffset: job.trailerOffset }) });
    return { path, ...read, cleanup, ...(job.trailerOffset === undefined ? {} : { trailerLine: newlines + 1 }) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * The rows of `rows` rewritten by landfall's own reader as canonical CSV, for a file that keeps every rule but that
 * DuckDB's reader refuses (LF and CRLF mixed, a CR ending the file, a long run of blank lines). A row that breaks a
 * rule fails the copy with its line.
 */
export async function canonicalRowsFile(job: LoadJob, rows: RowsFile, tempDirectory: string): Promise<RowsFile> {
  const { path, cleanup } = await tempPath(job, tempDirectory, '-canonical.csv');
  try {
    const records = dataRecords(createReadStream(rows.path), { file: job.source.name, table: job.table, delimiter: rows.delimiter, width: job.header.length });
    const { longestLineBytes } = await writeCanonicalCsv(records, job.header.length, path);
    return { path, delimiter: ',', parallel: false, canonical: true, cleanup, ...(rows.trailerLine === undefined ? {} : { trailerLine: rows.trailerLine }), ...(longestLineBytes ? { longestLineBytes } : {}) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * What the copy of a JSON-lines or Avro file keeps of a field's JSON text beside its text: every value but a string
 * and null has the text as its JSON text (a number as written), so a tag says which it was. NULL: the record lacks it.
 */
export const JSON_TAG = { string: 's', null: 'n', other: 'j' } as const;

function jsonTag(json: string | undefined): string | null {
  if (json === undefined) return null;
  if (json === 'null') return JSON_TAG.null;
  return json.charCodeAt(0) === 0x22 ? JSON_TAG.string : JSON_TAG.other;
}

/**
 * A JSON-lines or Avro file as canonical CSV written by landfall, which reads it (DuckDB has no Avro reader here, and
 * its JSON reader prints numbers again): each field's text, each field's JSON tag, an empty last field (see
 * jsonCopyRelation). A bad line fails the copy with its number.
 */
async function jsonRowsFile(job: LoadJob, tempDirectory: string): Promise<RowsFile> {
  const { path, cleanup } = await tempPath(job, tempDirectory, '-canonical.csv');
  const width = job.header.length;
  async function* rows() {
    for await (const { texts, json } of fieldRecords(job)) {
      const fields: (string | null)[] = texts.slice();
      for (let i = 0; i < width; i++) fields.push(jsonTag(json![i]));
      fields.push('');
      yield { fields };
    }
  }
  try {
    const { longestLineBytes } = await writeCanonicalCsv(rows(), 2 * width + 1, path);
    return { path, delimiter: ',', parallel: false, canonical: true, cleanup, ...(longestLineBytes ? { longestLineBytes } : {}) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
