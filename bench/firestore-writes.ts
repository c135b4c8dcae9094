// Counts what a Firestore client commits: each document written, at the server's write time, and each commit refused
// because another writer got there first. It wraps the real client (nothing is faked): a store built on the wrapper
// talks to the same database, and the log says what the database did.
import type { DocumentReference, Firestore, WriteBatch, WriteResult } from '@google-cloud/firestore';

/** gRPC codes of a commit whose precondition another writer broke (create on an existing document, a stale update). */
const LOST_RACE = new Set([5, 6, 9, 10]);
const WRITE_METHODS = new Set(['create', 'set', 'update', 'delete']);

export interface WriteLog {
  /** Document path → the server's write time (ms, fractional) of each write that committed. */
  writes: Map<string, number[]>;
  commits: number;
  /** Commits refused because the document changed since it was read: the compare-and-set lost a race and retries. */
  refused: number;
}

export interface DocumentRate {
  path: string;
  writes: number;
  /** The most writes that fall in any one second (half-open window, by the server's write times). */
  peakPerSecond: number;
  /** The gaps between its writes per second: (writes − 1) / (last write − first write), over at least one second. */
  sustainedPerSecond: number;
}

const millis = (result: WriteResult): number => result.writeTime.seconds * 1000 + result.writeTime.nanoseconds / 1e6;

function countingBatch(batch: WriteBatch, log: WriteLog): WriteBatch {
  const paths: string[] = [];
  const proxy: WriteBatch = new Proxy(batch, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && WRITE_METHODS.has(prop)) {
        return (ref: DocumentReference, ...rest: unknown[]) => {
          paths.push(ref.path);
          (target[prop as 'set'] as (...args: unknown[]) => unknown).call(target, ref, ...rest);
          return proxy;
        };
      }
      if (prop === 'commit') {
        return async () => {
          log.commits++;
          try {
            const results = await target.commit();
            results.forEach((result, i) => {
              const times = log.writes.get(paths[i]!) ?? [];
              times.push(millis(result));
              log.writes.set(paths[i]!, times);
            });
            return results;
          } catch (error) {
            if (LOST_RACE.has((error as { code?: number }).code ?? -1)) log.refused++;
            throw error;
          }
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return proxy;
}

/**
 * `db` with every `batch()` counted into the returned log. Writes made through `DocumentReference.set` and friends,
 * or in a `runTransaction`, bypass it: landfall's stores write through `batch()` (compare-and-set).
 */
export function countingFirestore(db: Firestore): { db: Firestore; log: WriteLog } {
  const log: WriteLog = { writes: new Map(), commits: 0, refused: 0 };
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'batch') return () => countingBatch(target.batch(), log);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: wrapped, log };
}

/** The most values of sorted `times` inside any window [t, t + windowMs). */
export function peakInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/** Each written document's rates, the busiest (most writes, then highest peak) first. */
export function documentRates(log: WriteLog): DocumentRate[] {
  const rates = [...log.writes].map(([path, times]) => {
    const span = Math.max(...times) - Math.min(...times);
    return { path, writes: times.length, peakPerSecond: peakInWindow(times), sustainedPerSecond: (times.length - 1) / Math.max(1, span / 1000) };
  });
  return rates.sort((a, b) => b.writes - a.writes || b.peakPerSecond - a.peakPerSecond);
}
