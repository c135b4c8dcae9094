// Read, decide, and write only if the document is unchanged since the read: a read-modify-write that holds no lock.
//
// A Firestore transaction of a server client locks what it reads until it commits. When its process dies in
// between (a SIGKILL, an instance stopped mid-request), the lock stays until the server gives up on the transaction:
// 60 s of idleness in production, about as long on the emulator. Every other handler of that document waits that
// long, and each one waiting fills a function instance. A write conditioned on the read's update time leaves
// nothing behind when its writer dies. It costs what the transaction cost: a read and a commit (the client
// starts a transaction with its first read).
import { FieldValue, type DocumentData, type DocumentReference, type Firestore, type Timestamp, type WriteBatch } from '@google-cloud/firestore';
import { TransientError } from '../../errors.js';
import { commitTogether } from './commit-group.js';

/** Another writer got there first: create found the document, or the update time moved on since the read. */
const LOST_RACE = new Set([5 /* NOT_FOUND */, 6 /* ALREADY_EXISTS */, 9 /* FAILED_PRECONDITION */, 10 /* ABORTED */]);

export function lostRace(error: unknown): boolean {
  return LOST_RACE.has((error as { code?: number })?.code ?? -1);
}
const ATTEMPTS = 20;

export interface Change<D, T> {
  /** The document to write; absent: write nothing. */
  next?: D;
  /** Other documents written in the same commit as `next` (never without it). */
  alongside?: { ref: DocumentReference; data: DocumentData }[];
  result: T;
}

interface Version<D> {
  data: D;
  updateTime: Timestamp | undefined;
}

/**
 * The version of each document this process last wrote, so that its next change starts from it instead of from a
 * read: a loader that claimed a file finishes it with one call, not two. A version someone else has since replaced
 * costs one refused commit, then the change reads and decides as usual. Bounded: the oldest entries go first.
 */
export class WrittenVersions<D> {
  private readonly versions = new Map<string, Version<D>>();

  constructor(private readonly limit = 1000) {}

  get(path: string): Version<D> | undefined {
    return this.versions.get(path);
  }

  set(path: string, version: Version<D>): void {
    this.versions.delete(path);
    this.versions.set(path, version);
    if (this.versions.size > this.limit) this.versions.delete(this.versions.keys().next().value!);
  }

  forget(path: string): void {
    this.versions.delete(path);
  }
}

/**
 * The document as Firestore holds it after a write of `value`: a copy, without the fields set to undefined at any
 * depth (the clients skip them: `ignoreUndefinedProperties`).
 */
function stored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stored);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined).map(([key, field]) => [key, stored(field)]));
}

/** The document as it is now, with the update time a write conditioned on it names (none when it does not exist). */
async function read<D>(ref: DocumentReference): Promise<Version<D | undefined>> {
  const snapshot = await ref.get();
  return { data: snapshot.exists ? (snapshot.data() as D) : undefined, updateTime: snapshot.updateTime };
}

/** `next` as an update of `current`: every field it has, and a delete for every field it dropped. */
export function replacement(current: DocumentData, next: DocumentData): DocumentData {
  const fields: DocumentData = {};
  for (const [key, value] of Object.entries(next)) if (value !== undefined) fields[key] = value;
  for (const key of Object.keys(current)) if (!(key in fields)) fields[key] = FieldValue.delete();
  return fields;
}

/**
 * Runs `decide` on the document as read and commits what it returns on condition that nobody wrote the document
 * since; on a lost race it reads again and decides again, so `decide` must be pure. With `written`, a document this
 * process wrote last is decided from that version without a read; a decision to write nothing is only taken from a
 * read, and a version someone else replaced is refused by the commit's condition. The commits of one turn of the
 * event loop go in one request (commit-group.ts), each still judged on its own condition. With `likelyNew` and no version
 * remembered, the first decision is taken as if the document were absent: a create, which is refused if it is there.
 */
export async function compareAndSet<D extends DocumentData, T>(
  db: Firestore,
  ref: DocumentReference,
  decide: (current: D | undefined) => Change<D, T>,
  options: { written?: WrittenVersions<D>; likelyNew?: boolean } = {},
): Promise<T> {
  const { written, likelyNew = false } = options;
  let known: Version<D | undefined> | undefined = written?.get(ref.path) ?? (likelyNew ? { data: undefined, updateTime: undefined } : undefined);
  for (let attempt = 1; ; ) {
    // A remembered (or guessed) version is tried once; every decision after it is taken from a read.
    const fromMemory = known !== undefined;
    const { data: current, updateTime } = known ?? (await read<D>(ref));
    known = undefined;
    const { next, alongside = [], result } = decide(current);
    if (next === undefined) {
      if (alongside.length > 0) throw new Error(`compareAndSet(${ref.path}): documents alongside no write of the document itself`);
      if (!fromMemory) return result;
      continue; // "nothing to write" may be news that version has not heard: read, and decide again
    }
    const write = (batch: WriteBatch) => {
      if (current === undefined) batch.create(ref, next);
      else batch.update(ref, replacement(current, next), { lastUpdateTime: updateTime! });
      for (const other of alongside) batch.set(other.ref, other.data);
    };
    try {
      const own = await commitTogether(db, ref.path, 1 + alongside.length, write);
      written?.set(ref.path, { data: stored(next) as D, updateTime: own.writeTime });
      return result;
    } catch (error) {
      written?.forget(ref.path);
      if (!lostRace(error)) throw error;
      if (fromMemory) continue; // someone wrote since this process did: read, without counting it a lost race
      if (attempt === ATTEMPTS) throw new TransientError(`${ref.path}: another writer won ${ATTEMPTS} times in a row`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      attempt++;
    }
  }
}
