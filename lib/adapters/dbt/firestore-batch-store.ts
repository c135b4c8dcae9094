// The dbt trigger's BatchStore over Firestore: one document per (batch, batch key), written at most once a second and
// by compare-and-set; the load events filed for it, one document each; one document per run.
//
// Firestore sustains about one write per second per document. In a burst of one batch key every load event would
// write the key's document; instead each event is filed as a document of its own (distinct documents take writes in
// parallel), and the key's document is written no sooner than a second after its last write, folding in everything
// filed meanwhile. A handler returns once its event is in the state, whoever folded it: if it dies first, the event
// stays filed and the next write of the key (its redelivery's, or any other handler's) folds it in.
import type { CollectionReference, DocumentReference, Firestore, Timestamp } from '@google-cloud/firestore';
import { TransientError } from '../../errors.js';
import { docId } from '../../pipeline/index.js';
import { lostRace, replacement } from '../firestore/compare-and-set.js';
import type { BatchKeyState, BatchStore, DbtRunRecord, TriggerEvent, TriggerWrite } from '../../transform/index.js';

export const BATCH_COLLECTIONS = { batches: 'landfall-batches', runs: 'landfall-dbt-runs' } as const;
/** The subcollection of a batch key's document that holds its filed events. */
export const FILED_EVENTS = 'filed-events';

/** Firestore's sustained rate for one document (its best-practices page): one write a second. */
export const STATE_WRITE_INTERVAL_MS = 1000;
/** Events folded into one write (the rest go into the next); with the key's write, well inside a commit's limits. */
const FOLD_LIMIT = 400;
/** Lost races in a row before the handler gives the event back to Pub/Sub. */
const ATTEMPTS = 20;

export interface FirestoreBatchStoreOptions {
  /** Prefix for the collection names, so tests (and several deployments) can share one database. */
  collectionPrefix?: string;
  /** Least time between two writes of one key's state; tests shorten it. */
  stateWriteIntervalMs?: number;
}

/** Same derivation as the pipeline's (table, batch key) documents: readable, `/`-free, bounded. */
export function batchDocId(batch: string, batchKey: string): string {
  return docId(batch, batchKey);
}

/** `<batch doc id>~000001`: sorts by run within a key, and a retried write lands on the same record. */
export function runDocId(run: Pick<DbtRunRecord, 'batch' | 'batchKey' | 'seq'>): string {
  return `${batchDocId(run.batch, run.batchKey)}~${String(run.seq).padStart(6, '0')}`;
}

/** One load's event of one status is filed once, however often it is delivered or re-published. */
export function filedEventId(event: Pick<TriggerEvent, 'table' | 'loadId' | 'status'>): string {
  return docId(event.table, event.loadId, event.status);
}

const millis = (time: Timestamp): number => time.seconds * 1000 + time.nanoseconds / 1e6;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Decide<T> = (state: BatchKeyState | undefined, filed: TriggerEvent[]) => TriggerWrite<T>;

export class FirestoreBatchStore implements BatchStore {
  private readonly batches: CollectionReference;
  private readonly runs: CollectionReference;
  private readonly intervalMs: number;
  /** Per key, the update of this process that is writing it (waiting for its interval, or committing), if any. */
  private readonly writers = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Firestore,
    options: FirestoreBatchStoreOptions = {},
  ) {
    const prefix = options.collectionPrefix ?? '';
    this.batches = db.collection(`${prefix}${BATCH_COLLECTIONS.batches}`);
    this.runs = db.collection(`${prefix}${BATCH_COLLECTIONS.runs}`);
    this.intervalMs = options.stateWriteIntervalMs ?? STATE_WRITE_INTERVAL_MS;
  }

  async update<T>(batch: string, batchKey: string, decide: Decide<T>, events: readonly TriggerEvent[] = []): Promise<T> {
    const ref = this.batches.doc(batchDocId(batch, batchKey));
    for (let start = 0; start < events.length; start += FOLD_LIMIT) {
      const filing = this.db.batch();
      for (const event of events.slice(start, start + FOLD_LIMIT)) filing.set(ref.collection(FILED_EVENTS).doc(filedEventId(event)), event);
      await filing.commit();
    }
    return this.write(ref, decide, new Set(events.map(filedEventId)));
  }

  /**
   * Reads, decides, and writes on condition that nobody wrote since the read, once the key's interval has passed.
   * One update per key and process writes at a time; the others that have something to write wait for it, then
   * decide again (mostly on a state that has their events in it already), so the process sends one commit a round.
   */
  private async write<T>(ref: DocumentReference, decide: Decide<T>, own: Set<string>): Promise<T> {
    let release: (() => void) | undefined;
    try {
      for (let lost = 0; ; ) {
        // The file before the state: an event folded in between is then in the state read, and folding it again is no news.
        const filed = await ref.collection(FILED_EVENTS).limit(FOLD_LIMIT).get();
        const snapshot = await ref.get();
        const current = snapshot.exists ? (snapshot.data() as BatchKeyState) : undefined;
        const listed = new Set(filed.docs.map((d) => d.id));
        // Past the limit an own event may be filed unlisted: it counts as filed until a shorter list says otherwise.
        const ownFiled = [...own].filter((id) => listed.has(id) || filed.size === FOLD_LIMIT);
        if (ownFiled.length === 0) {
          const alone = decide(current, []);
          if (alone.state === undefined) return this.nothingToWrite(ref, alone);
        }
        const writer = this.writers.get(ref.path);
        if (release === undefined && writer !== undefined) {
          await writer;
          continue;
        }
        release ??= this.becomeWriter(ref.path);
        // Whatever is filed while this waits is folded in by whoever writes next: decide again on what is there then.
        const waitMs = snapshot.updateTime ? Math.ceil(millis(snapshot.updateTime) + this.intervalMs - Date.now()) : 0;
        if (waitMs > 0) {
          await sleep(waitMs);
          continue;
        }
        const change = decide(current, filed.docs.map((d) => d.data() as TriggerEvent));
        if (change.state === undefined) return this.nothingToWrite(ref, change);
        try {
          await this.commit(ref, current, snapshot.updateTime, change, change.folded ? filed.docs.map((d) => d.ref) : []);
        } catch (error) {
          if (!lostRace(error)) throw error;
          if (++lost === ATTEMPTS) throw new TransientError(`${ref.path}: another writer won ${ATTEMPTS} times in a row`);
          continue;
        }
        own = new Set(ownFiled.filter((id) => !(change.folded && listed.has(id))));
        if (own.size === 0) return change.result;
      }
    } finally {
      release?.();
    }
  }

  private nothingToWrite<T>(ref: DocumentReference, change: TriggerWrite<T>): T {
    if ((change.runs ?? []).length > 0 || change.folded) throw new Error(`${ref.path}: run records or folded events without a state to write`);
    return change.result;
  }

  /** The state on condition of the version read (created when there was none), its run records, the folded events gone. */
  private async commit<T>(ref: DocumentReference, current: BatchKeyState | undefined, read: Timestamp | undefined, change: TriggerWrite<T>, folded: DocumentReference[]) {
    const commit = this.db.batch();
    if (current === undefined) commit.create(ref, change.state!);
    else commit.update(ref, replacement(current, change.state!), { lastUpdateTime: read! });
    for (const doc of folded) commit.delete(doc);
    for (const run of change.runs ?? []) commit.set(this.runs.doc(runDocId(run)), run);
    await commit.commit();
  }

  /** Makes the caller this process's writer of `path` until it calls the function returned. */
  private becomeWriter(path: string): () => void {
    let resolve!: () => void;
    const turn = new Promise<void>((done) => (resolve = done));
    this.writers.set(path, turn);
    return () => {
      if (this.writers.get(path) === turn) this.writers.delete(path);
      resolve();
    };
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
