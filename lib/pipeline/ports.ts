// The pipeline's ports: the object store, the state store and the bus, as small as the use cases need them.
import type { FileSource } from '../load/source.js';
import type { FileDoc } from './file-doc.js';
import type { ObjectRef } from './ids.js';
import type { BusMessage } from './messages.js';

export interface ObjectInfo extends ObjectRef {
  size: number;
  timeCreated: string | null;
  contentType: string | null;
  metadata: Record<string, string>;
}

export interface CopyOptions {
  /** Custom metadata of the copy (the original identity travels here). */
  metadata: Record<string, string>;
  /**
   * No earlier attempt can have made this copy (the path's first claim): a store whose server cannot make the copy
   * conditional on an empty destination need not look there first.
   */
  first?: boolean;
}

/** What the engine records of an object it loads: for a replayed archive copy, where the file first landed. */
export interface SourceIdentity extends Pick<FileSource, 'name' | 'path' | 'uri'> {
  generation: string;
}

export interface ObjectStore {
  /** The live object of that name, or undefined when there is none. */
  stat(bucket: string, name: string): Promise<ObjectInfo | undefined>;
  /** A small object's text, at that generation. */
  readText(ref: ObjectRef): Promise<string>;
  /**
   * A FileSource over the object at that generation, with `identity` as its name/uri/generation. `size`, when
   * the caller already read it for that generation, saves asking again.
   */
  openSource(ref: ObjectRef, identity: SourceIdentity, size?: number): Promise<DisposableSource>;
  /**
   * Copies that generation to `destination`, which must not exist yet; when it already does (a retried move),
   * returns the existing object so the caller can check it is the same file.
   */
  copy(source: ObjectRef, destination: { bucket: string; name: string }, options: CopyOptions): Promise<ObjectInfo>;
  /** Deletes that generation only (the live one when none is given); an object already gone is fine. */
  delete(ref: { bucket: string; name: string; generation?: string }): Promise<void>;
  writeText(bucket: string, name: string, text: string, contentType: string): Promise<ObjectInfo>;
  upload(localPath: string, bucket: string, name: string): Promise<ObjectInfo>;
  list(bucket: string, prefix: string): Promise<ObjectInfo[]>;
}

export interface DisposableSource extends FileSource {
  /** Removes the temporary local copy, if one was made. */
  dispose(): Promise<void>;
}

export interface UnmatchedRecord {
  bucket: string;
  name: string;
  generation: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface StateStore {
  /**
   * Runs `decide` on the current document and writes what it returns, only if nobody wrote the document since
   * it was read; on a lost race it reads and decides again, so `decide` must be pure. Holds no lock: a writer
   * that dies midway blocks nobody. `likelyNew`: the document is probably not there yet (an arrival), so the change
   * is first decided as if it were absent and written as a create, which fails if it is there; only then is it read.
   */
  update<T>(id: string, decide: (doc: FileDoc | undefined) => { doc: FileDoc | undefined; write: boolean; result: T }, options?: { likelyNew?: boolean }): Promise<T>;
  /**
   * Reads without a transaction and writes the fields `decide` returns only if the document is unchanged since
   * the read; resolves whether it wrote. For follow-up marks that lose gladly to any other write: it does
   * not try again.
   */
  patch(id: string, decide: (doc: FileDoc | undefined) => Partial<FileDoc> | undefined | Promise<Partial<FileDoc> | undefined>): Promise<boolean>;
  get(id: string): Promise<FileDoc | undefined>;
  list(): Promise<FileDoc[]>;
  /** The documents whose round has not ended (waiting, ready, loading), by id: what the sweep looks at. */
  listActive(): Promise<Map<string, FileDoc>>;
  /** Records (or refreshes) an object that no mapping claims. */
  recordUnmatched(id: string, record: Omit<UnmatchedRecord, 'firstSeenAt'>): Promise<void>;
  listUnmatched(): Promise<UnmatchedRecord[]>;
}

export interface Bus {
  /** Publishes one message; resolves with its message id once the bus has it. */
  publish(topic: string, data: Buffer, attributes?: Record<string, string>): Promise<string>;
}

/** A message pulled from a subscription: acked once it is dealt with, or it comes back. */
export interface PulledMessage {
  message: BusMessage;
  ack(): Promise<void>;
}

export interface Puller {
  /** Up to `maxMessages` waiting on the subscription (its short name); an empty answer when none wait. */
  pull(subscription: string, maxMessages: number): Promise<PulledMessage[]>;
}

export interface Seeker {
  /** Seeks a subscription back to `time`: messages published since are delivered again. */
  seek(subscription: string, time: Date): Promise<void>;
}
