// One warehouse writer per process: loads queue for the warehouse, which stays open while they come and closes when idle.
import type { LoadReport, LoadRequest, Warehouse } from '../load/index.js';
import type { LoadEngine } from './load-step.js';

export type LoadFn = (warehouse: Warehouse, request: LoadRequest) => Promise<LoadReport>;

export interface SerialEngineOptions {
  /**
   * How long the warehouse stays open after the last queued load, for the next one. Opening and closing a DuckDB
   * file costs more than a small load (the close checkpoints), but dbt needs the file between loads: so it is
   * kept open only across a run of loads. 0 closes as soon as no load is waiting.
   */
  idleCloseMs?: number;
}

/**
 * DuckDB allows one writer per file, and dbt needs the file between loads: so the warehouse is opened for a
 * run of loads and closed once none has come for `idleCloseMs`. Downloads happen before queueing, in parallel.
 */
export function serialEngine(open: () => Promise<Warehouse>, load: LoadFn, options: SerialEngineOptions = {}): LoadEngine {
  const idleCloseMs = options.idleCloseMs ?? 0;
  let tail: Promise<unknown> = Promise.resolve();
  let warehouse: Warehouse | undefined;
  let waiting = 0;
  let timer: NodeJS.Timeout | undefined;
  const closeWarehouse = async () => {
    const open = warehouse;
    warehouse = undefined;
    await open?.close();
  };
  // Runs on the queue, so a close never overlaps a load.
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
  const closeWhenIdle = () => {
    if (waiting > 0 || warehouse === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => void enqueue(async () => (waiting === 0 ? closeWarehouse() : undefined)).catch(() => undefined), idleCloseMs);
    // A process that is done otherwise does not stay up for the timer; DuckDB replays its WAL on the next open.
    timer.unref();
  };
  return async (request) => {
    await request.source.localPath();
    waiting++;
    clearTimeout(timer);
    return enqueue(async () => {
      waiting--;
      try {
        warehouse ??= await open();
        const report = await load(warehouse, request);
        if (idleCloseMs === 0 && waiting === 0) await closeWarehouse();
        return report;
      } catch (error) {
        // A load that threw may leave the connection unusable: start the next one afresh.
        await closeWarehouse().catch(() => undefined);
        throw error;
      } finally {
        if (idleCloseMs > 0) closeWhenIdle();
      }
    });
  };
}
