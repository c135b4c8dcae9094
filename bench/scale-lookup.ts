// The "loaded before?" lookup's bytes at a history size: a probe of corrections (burst files uploaded again: a new
// file's first claim needs no lookup, a correction does) with its lookups picked out of the gate's bill; and
// load_metadata grown to k× its rows straight in the emulator (behind the gate, unbilled).
import { METADATA_COLUMNS, METADATA_TABLE } from '../lib/adapters/bigquery/index.js';
import { gateBill } from '../test/e2e/bigquery-warehouse.js';
import type { E2E } from '../test/e2e/harness.js';
import { billBetween, lookupQueries } from './scale-bill.js';
import { median } from './pipeline-trace.js';
import type { BenchFile } from './scale-workload.js';

export interface LookupFigures {
  /** load_metadata's rows when the probe ran. */
  historyRows: number;
  probeFiles: number;
  /** The loader's lookups during the probe (one per corrected file), and the median one's bytes. */
  lookups: number;
  bytesProcessedPerLookup: number;
  bytesBilledPerLookup: number;
  /** Every lookup's billed bytes over the probe's files. */
  bytesBilledPerFile: number;
}

/** load_metadata as the bill names it: `project:dataset.load_metadata`. */
export const metadataKey = (e2e: E2E): string => `${e2e.stack.project}:${e2e.stack.topology.warehouse.dataset}.${METADATA_TABLE}`;

export async function historyRows(e2e: E2E): Promise<number> {
  const [row] = await e2e.query(`SELECT COUNT(*) AS n FROM ${METADATA_TABLE}`);
  return Number(row?.n ?? 0);
}

/** Events from index `since` of the harness's list on. */
export type WaitFor = (paths: string[], since: number) => Promise<unknown>;

/** Uploads `files` (paths loaded before) again at once and waits for their new load events, taking their lookups from the bill. */
export async function probeLookup(e2e: E2E, files: readonly BenchFile[], data: Buffer, waitFor: WaitFor): Promise<LookupFigures> {
  const rows = await historyRows(e2e);
  const before = await gateBill(e2e.stack);
  const since = e2e.events.length;
  await Promise.all(files.map((f) => e2e.upload(f.name, data)));
  await waitFor(files.map((f) => f.name), since);
  const bill = billBetween(before, await gateBill(e2e.stack));
  const lookups = lookupQueries(bill.queries, metadataKey(e2e));
  return {
    historyRows: rows,
    probeFiles: files.length,
    lookups: lookups.length,
    bytesProcessedPerLookup: median(lookups.map((q) => q.bytesProcessed)),
    bytesBilledPerLookup: median(lookups.map((q) => q.bytesBilled)),
    bytesBilledPerFile: lookups.reduce((sum, q) => sum + q.bytesBilled, 0) / files.length,
  };
}

/** Adds (k − 1) copies of every load_metadata row under new load ids and paths: k× the history, rows of real size. */
export async function growHistory(e2e: E2E, k: number): Promise<void> {
  if (k <= 1) return;
  const copy = (c: string) => (c === 'load_id' ? `CONCAT('seed', CAST(n AS STRING), '-', load_id)` : c === 'path' ? `CONCAT('seed', CAST(n AS STRING), '/', IFNULL(path, filename))` : c);
  await e2e.query(
    `INSERT INTO ${METADATA_TABLE} (${METADATA_COLUMNS.join(', ')})
     SELECT ${METADATA_COLUMNS.map(copy).join(', ')} FROM ${METADATA_TABLE} CROSS JOIN UNNEST(GENERATE_ARRAY(1, ${k - 1})) AS n`,
  );
}
