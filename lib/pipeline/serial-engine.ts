// One warehouse writer per process: loads share the open warehouse, which stays open while they come and closes when idle.
import type { LoadReport, LoadRequest, Warehouse } from '../load/index.js';
import type { LoadEngine } from './load-step.js';

export type LoadFn = (warehouse: Warehouse, request: LoadRequest) => Promise<LoadReport>;

export interface SerialEngineOptions {
  /**
   * How long the warehouse stays open after the last load, for the next one. Opening and closing a DuckDB file
   * costs more than a small load (the close checkpoints), but dbt needs the file between loads: so it is kept open
   * only across a run of loads. 0 closes as soon as no load is running.
   */
  idleCloseMs?: number;
}

/** One open warehouse and the loads using it. */
interface Session {
  warehouse: Promise<Warehouse>;
  users: number;
  /**
   * Set when it retires (idle, or a load on it threw): no new load joins it, and it closes when its last load ends
   * (`drained`). Resolves once it is closed.
   */
  closed?: Promise<void>;
  drained?: () => void;
}

/**
 * DuckDB allows one writer per file, and dbt needs the file between loads: so the warehouse is opened for a run of
 * loads and closed once none has come for `idleCloseMs`. Loads that overlap share it: the warehouse runs their
 * statements one at a time on its connection, while their downloads and file checks (header, trailer, NUL) run
 * beside another load's transaction. A load that throws may leave the connection unusable: the loads after it
 * open a fresh one, once the loads still on the old one are done and it is closed (never two open at once).
 */
export function serialEngine(open: () => Promise<Warehouse>, load: LoadFn, options: SerialEngineOptions = {}): LoadEngine {
  const idleCloseMs = options.idleCloseMs ?? 0;
  let session: Session | undefined;
  /** The close of the last retired session: a new one opens only after it. */
  let closed: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const retire = (s: Session) => {
    if (s.closed) return;
    if (session === s) session = undefined;
    const previous = closed;
    const drained = new Promise<void>((resolve) => (s.drained = resolve));
    s.closed = drained.then(() => previous).then(async () => {
      const warehouse = await s.warehouse.catch(() => undefined);
      await warehouse?.close().catch(() => undefined);
    });
    closed = s.closed;
    if (s.users === 0) s.drained!();
  };

  const acquire = async (): Promise<Session> => {
    clearTimeout(timer);
    while (session === undefined) {
      const waited = closed;
      await waited;
      if (session === undefined && closed === waited) session = { warehouse: open(), users: 0 };
    }
    session.users++;
    return session;
  };

  const release = (s: Session, threw: boolean) => {
    s.users--;
    if (threw) retire(s);
    if (s.users > 0) return;
    if (s.closed) s.drained!();
    else if (idleCloseMs === 0) retire(s);
    else {
      clearTimeout(timer);
      timer = setTimeout(() => s.users === 0 && retire(s), idleCloseMs);
      // A process that is done otherwise does not stay up for the timer; DuckDB replays its WAL on the next open.
      timer.unref();
    }
  };

  return async (request) => {
    await request.source.localPath();
    const s = await acquire();
    let threw = true;
    try {
      const report = await load(await s.warehouse, request);
      threw = false;
      return report;
    } finally {
      release(s, threw);
      // A caller that returns sees the warehouse closed when it asked for no idle time (tests, the CLI's way).
      if (s.users === 0) await s.closed;
    }
  };
}
