// The dbt trigger's BatchStore over Firestore: one document per (batch, batch key), one per run, changed by compare-and-set.
import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import { docId } from '../../pipeline/index.js';
import { compareAndSet, WrittenVersions } from '../firestore/compare-and-set.js';
import type { BatchKeyState, BatchStore, DbtRunRecord, TriggerWrite } from '../../transform/index.js';

export const BATCH_COLLECTIONS = { batches: 'landfall-batches', runs: 'landfall-dbt-runs' } as const;

export interface FirestoreBatchStoreOptions {
  /** Prefix for the collection names, so tests (and several deployments) can share one database. */
  collectionPrefix?: string;
}

/** Same derivation as the pipeline's (table, batch key) documents: readable, `/`-free, bounded. */
export function batchDocId(batch: string, batchKey: string): string {
  return docId(batch, batchKey);
}

/** `<batch doc id>~000001`: sorts by run within a key, and a retried write lands on the same record. */
export function runDocId(run: Pick<DbtRunRecord, 'batch' | 'batchKey' | 'seq'>): string {
  return `${batchDocId(run.batch, run.batchKey)}~${String(run.seq).padStart(6, '0')}`;
}

export class FirestoreBatchStore implements BatchStore {
  private readonly batches: CollectionReference;
  private readonly runs: CollectionReference;
  /** The trigger takes a batch key's next event from the version it wrote. */
  private readonly written = new WrittenVersions<BatchKeyState>();

  constructor(
    private readonly db: Firestore,
    options: FirestoreBatchStoreOptions = {},
  ) {
    const prefix = options.collectionPrefix ?? '';
    this.batches = db.collection(`${prefix}${BATCH_COLLECTIONS.batches}`);
    this.runs = db.collection(`${prefix}${BATCH_COLLECTIONS.runs}`);
  }

  update<T>(batch: string, batchKey: string, decide: (state: BatchKeyState | undefined) => TriggerWrite<T>): Promise<T> {
    return compareAndSet<BatchKeyState, T>(this.db, this.batches.doc(batchDocId(batch, batchKey)), (current) => {
      const { state, runs = [], result } = decide(current);
      return { next: state, alongside: runs.map((run) => ({ ref: this.runs.doc(runDocId(run)), data: run })), result };
    }, this.written);
  }

  async listStates(): Promise<BatchKeyState[]> {
    const snapshot = await this.batches.get();
    return snapshot.docs.map((d) => d.data() as BatchKeyState);
  }

  async listRuns(limit: number): Promise<DbtRunRecord[]> {
    const snapshot = await this.runs.orderBy('startedAt', 'desc').limit(limit).get();
    return snapshot.docs.map((d) => d.data() as DbtRunRecord);
  }
}
