// Retries a transient failure inside the process first, while that is cheaper than a redelivery: a few tries in seconds.
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryable } from '../errors.js';

export interface InProcessRetry {
  /** No retry starts after this long from the first try: past it, Pub/Sub's back-off takes over. */
  budgetMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** Called before each retry, with the failure and the delay chosen. */
  onRetry?: (error: unknown, delayMs: number, attempt: number) => void;
  /** Which failures another try in this process may get past (default: every retryable one). */
  retryable?: (error: unknown) => boolean;
  random?: () => number;
}

/** BigQuery answers a 503 or `rateLimitExceeded` in well under a second: a few tries in 10 s cost less than a redelivery. */
export const LOAD_RETRY: InProcessRetry = { budgetMs: 10_000, firstDelayMs: 250, maxDelayMs: 4000 };

/**
 * Runs `work`; a transient failure is tried again after a delay drawn at random below an exponential cap ("full
 * jitter": instances that failed together do not come back together), as long as the budget allows. A terminal
 * failure, or one past the budget, is thrown as it came.
 */
export async function withRetries<T>(work: () => Promise<T>, options: InProcessRetry): Promise<T> {
  const started = Date.now();
  const random = options.random ?? Math.random;
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delayMs = Math.round(random() * Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** (attempt - 1)));
      if (!retryable(error) || Date.now() - started + delayMs > options.budgetMs) throw error;
      options.onRetry?.(error, delayMs, attempt);
      await sleep(delayMs);
    }
  }
}
