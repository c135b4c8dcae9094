// The StateStore port over Firestore: one document per (table, folder, batch key), changed only by compare-and-set.
import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import type { FileDoc } from '../../pipeline/file-doc.js';
import { COLLECTIONS } from '../../pipeline/ids.js';
import { compareAndSet, WrittenVersions } from './compare-and-set.js';
import { ACTIVE_STATES } from '../../pipeline/states.js';
import type { StateStore, UnmatchedRecord } from '../../pipeline/ports.js';

const FAILED_PRECONDITION = 9;

/**
 * A document written before folders counted has no `folder`: it is read as the top of the landing prefix, whose
 * id (`table~key`) it already has. A file in a folder gets a document of its own from now on.
 */
function fileDoc(data: unknown): FileDoc {
  const doc = data as FileDoc;
  return { ...doc, folder: doc.folder ?? '' };
}

export interface FirestoreStateStoreOptions {
  /** Prefix for the collection names, so tests (and several deployments) can share one database. */
  collectionPrefix?: string;
}

export class FirestoreStateStore implements StateStore {
  private readonly files: CollectionReference;
  private readonly unmatched: CollectionReference;
  /** A loader finishes what it claimed from the version it wrote. */
  private readonly written = new WrittenVersions<FileDoc>();

  constructor(
    private readonly db: Firestore,
    options: FirestoreStateStoreOptions = {},
  ) {
    const prefix = options.collectionPrefix ?? '';
    this.files = db.collection(`${prefix}${COLLECTIONS.files}`);
    this.unmatched = db.collection(`${prefix}${COLLECTIONS.unmatched}`);
  }

  update<T>(id: string, decide: (doc: FileDoc | undefined) => { doc: FileDoc | undefined; write: boolean; result: T }, options: { likelyNew?: boolean } = {}): Promise<T> {
    return compareAndSet<FileDoc, T>(this.db, this.files.doc(id), (current) => {
      const { doc, write, result } = decide(current && fileDoc(current));
      return write && doc !== undefined ? { next: doc, result } : { result };
    }, { written: this.written, likelyNew: options.likelyNew === true });
  }

  async patch(id: string, decide: (doc: FileDoc | undefined) => Partial<FileDoc> | undefined | Promise<Partial<FileDoc> | undefined>): Promise<boolean> {
    const ref = this.files.doc(id);
    const snapshot = await ref.get();
    const fields = await decide(snapshot.exists ? fileDoc(snapshot.data()) : undefined);
    if (fields === undefined || !snapshot.exists || snapshot.updateTime === undefined) return false;
    try {
      await ref.update(fields as Record<string, unknown>, { lastUpdateTime: snapshot.updateTime });
      return true;
    } catch (error) {
      // FAILED_PRECONDITION: someone wrote since the read; their write wins.
      if ((error as { code?: unknown }).code === FAILED_PRECONDITION) return false;
      throw error;
    }
  }

  async get(id: string): Promise<FileDoc | undefined> {
    const snapshot = await this.files.doc(id).get();
    return snapshot.exists ? fileDoc(snapshot.data()) : undefined;
  }

  async list(): Promise<FileDoc[]> {
    const snapshot = await this.files.get();
    return snapshot.docs.map((d) => fileDoc(d.data()));
  }

  async listActive(): Promise<Map<string, FileDoc>> {
    const snapshot = await this.files.where('state', 'in', [...ACTIVE_STATES]).get();
    return new Map(snapshot.docs.map((d) => [d.id, fileDoc(d.data())]));
  }

  async recordUnmatched(id: string, record: Omit<UnmatchedRecord, 'firstSeenAt'>): Promise<void> {
    await compareAndSet<UnmatchedRecord, void>(this.db, this.unmatched.doc(id), (current) => ({
      next: { ...record, firstSeenAt: current?.firstSeenAt ?? record.lastSeenAt },
      result: undefined,
    }));
  }

  async listUnmatched(): Promise<UnmatchedRecord[]> {
    const snapshot = await this.unmatched.get();
    return snapshot.docs.map((d) => d.data() as UnmatchedRecord);
  }
}
