// Keeps a loader's claim alive while its load runs: the lease is renewed every third of it, until the load ends or the
// loader's own timeout passes (the platform stops a function there; a loader still running past it is not trusted).
import { applyRenew } from './claims.js';
import type { Logger } from './log.js';
import type { StateStore } from './ports.js';

export interface LeaseRenewal {
  /** Stops renewing; resolves once no renewal is in flight, so nothing is written after it. */
  stop(): Promise<void>;
}

export interface RenewOptions {
  store: StateStore;
  log: Logger;
  now: () => Date;
  id: string;
  claimNumber: number;
  leaseMs: number;
  /** When the loader's timeout passes: no renewal after it. */
  deadline: number;
}

export function renewWhileLoading(options: RenewOptions): LeaseRenewal {
  const { store, log, id, claimNumber, leaseMs } = options;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const halt = () => {
    stopped = true;
    clearInterval(timer);
  };
  const renew = async () => {
    const now = options.now();
    // Not `stop()`: it waits for the renewal in flight, which is this one.
    if (now.getTime() >= options.deadline) return halt();
    try {
      const renewed = await store.update(id, (doc) => {
        const next = applyRenew(doc, claimNumber, now.toISOString(), leaseMs);
        return { doc: next ?? doc, write: next !== undefined, result: next !== undefined };
      });
      // The claim is someone else's now (its lease lapsed while this loader was stalled): the finish will find it lost.
      if (!renewed) halt();
    } catch (error) {
      log('WARNING', 'lease_renew_failed', { id, claimNumber, error: String((error as Error)?.message ?? error) });
    }
  };
  const timer = setInterval(() => {
    if (!stopped) inFlight = inFlight.then(renew);
  }, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  const stop = async () => {
    halt();
    await inFlight;
  };
  return { stop };
}
