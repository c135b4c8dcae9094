// Milliseconds spent per step of one handler run, logged with its outcome so slow steps show in the logs.
import { performance } from 'node:perf_hooks';

export class Laps {
  private last = performance.now();
  readonly ms: Record<string, number> = {};

  /** Charges the time since the previous lap (or since creation) to `step`. */
  lap(step: string): void {
    const now = performance.now();
    this.ms[step] = (this.ms[step] ?? 0) + Math.round(now - this.last);
    this.last = now;
  }
}
