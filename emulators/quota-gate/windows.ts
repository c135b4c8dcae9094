// Rolling windows of events (BigQuery's quotas replenish continuously, not at fixed boundaries), kept per key.

/** Events in the last `windowMs`, as timestamps oldest first; aged ones are dropped as the window is read. */
export class RollingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  count(now: number): number {
    this.expire(now);
    return this.times.length - this.head;
  }

  /** Adds `n` events at `now` and answers how many the window holds with them. */
  add(now: number, n = 1): number {
    this.expire(now);
    for (let i = 0; i < n; i++) this.times.push(now);
    return this.times.length - this.head;
  }

  private expire(now: number): void {
    const horizon = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head]! <= horizon) this.head++;
    // Compact now and then, so a day's window does not keep every timestamp it ever held.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** One rolling window per key (a table, a project, a user and method), created on first use. */
export class KeyedWindows {
  private readonly windows = new Map<string, RollingWindow>();

  constructor(private readonly windowMs: number) {}

  count(key: string, now: number): number {
    return this.windows.get(key)?.count(now) ?? 0;
  }

  add(key: string, now: number, n = 1): number {
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = new RollingWindow(this.windowMs)));
    return window.add(now, n);
  }
}

/** Counts of things in flight per key (jobs.insert calls the gate has not answered yet). */
export class InFlight {
  private readonly counts = new Map<string, number>();

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  enter(key: string): () => void {
    this.counts.set(key, this.count(key) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = this.count(key) - 1;
      if (n <= 0) this.counts.delete(key);
      else this.counts.set(key, n);
    };
  }
}
