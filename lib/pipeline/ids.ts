// Derived ids: state documents, load ids and destination names come from the file, never from chance.
import { createHash } from 'node:crypto';

export interface ObjectRef {
  bucket: string;
  name: string;
  generation: string;
}

/** Firestore collections the pipeline writes. */
export const COLLECTIONS = { files: 'landfall-files', unmatched: 'landfall-unmatched' } as const;

const MAX_ID_BYTES = 1500;

/** Percent-encodes everything but [A-Za-z0-9_.-], so ids never hold `/` and stay readable. */
function idPart(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9_.-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Firestore forbids ids matching `__.*__`, `.` and `..`, and ids over 1500 bytes. */
function safeId(parts: readonly string[]): string {
  let id = parts.map(idPart).join('~');
  if (id.startsWith('_')) id = `%5F${id.slice(1)}`;
  if (Buffer.byteLength(id) > MAX_ID_BYTES) {
    id = `${id.slice(0, 200)}~sha256-${createHash('sha256').update(parts.join('\u0000')).digest('hex')}`;
  }
  return id;
}

/** A readable document id from its parts, none of which can be mistaken for another's (`~` inside a part is escaped). */
export function docId(...parts: string[]): string {
  return safeId(parts);
}

/**
 * One document per (table, folder, batch key): the data file and go file of one key in one folder. A file at the top
 * of the landing prefix (folder '') keeps the id documents had before folders counted, `table~key`.
 */
export function fileDocId(table: string, folder: string, batchKey: string): string {
  return folder === '' ? safeId([table, batchKey]) : safeId([table, folder, batchKey]);
}

/** One document per unmatched object name (a new generation updates it). */
export function unmatchedDocId(bucket: string, name: string): string {
  return safeId([bucket, name]);
}

/** `gs://bucket/name#generation`: the identity a load is about. */
export function objectKey(ref: ObjectRef): string {
  return `gs://${ref.bucket}/${ref.name}#${ref.generation}`;
}

// A fixed namespace so load ids are UUIDv5 values that anyone can recompute from the identity.
const LOAD_ID_NAMESPACE = Buffer.from('6c616e64-6661-4c6c-8000-6c6f61646964'.replace(/-/g, ''), 'hex');

/** A UUIDv5 (RFC 9562) of `name` in landfall's namespace. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(LOAD_ID_NAMESPACE).update(name, 'utf8').digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The load id of one claim of one identity: a retry of the same claim lands on the same id. */
export function loadIdFor(identity: ObjectRef, claimNumber: number): string {
  return uuidV5(`${objectKey(identity)}@claim${claimNumber}`);
}

/** The name of an object relative to the landing prefix (`incoming/a/b.csv` → `a/b.csv`): a file's path. */
export function relativeName(name: string, prefix: string): string {
  return prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The folder part of a path, with its trailing `/` (`a/b/c.csv` → `a/b/`; `c.csv` → ''). */
export function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

export function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * Where a loaded or failed file (and its go file) goes: `<table>/<batchKey>/<data generation>/<relative name>`.
 * Unique per load, so the copy can demand the destination not exist, and the same on every retry.
 */
export function destinationName(
  table: string,
  batchKey: string,
  dataGeneration: string,
  originName: string,
  landingPrefix: string,
): string {
  return `${table}/${batchKey}/${dataGeneration}/${relativeName(originName, landingPrefix)}`;
}
