// Loads sample files into a DuckDB file with the real loader (H2's engine), as the pipeline's loader would.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import { loadTableMappings } from '../../../lib/config/index.js';
import { goFileText, loadFile } from '../../../lib/load/index.js';
import type { LoadOutcome } from '../../../lib/load/index.js';
import { classify, companionGoName } from '../../../lib/match/index.js';

export const SAMPLES = 'test/fixtures/samples';
export const SAMPLE_FILES = ['instruments_20240115.csv', 'trades_20240115.csv', 'positions_20240115.csv', 'eod_prices_20240115.csv'];

/** Loads `paths` (data files; their go files are read beside them) into `duckdbPath`, one open-load-close each. */
export async function loadSamples(duckdbPath: string, paths: readonly string[], force = false, lockWaitMs?: number): Promise<LoadOutcome[]> {
  const mappings = await loadTableMappings('config/tables');
  const outcomes: LoadOutcome[] = [];
  for (const path of paths) {
    const found = classify(basename(path), mappings);
    if (found?.role !== 'data') throw new Error(`${path} is not a data file of config/tables`);
    const { mapping, batchKey, compressed } = found;
    const goName = companionGoName(mapping, batchKey);
    const goFile = goName ? goFileText(goName, await readFile(join(path, '..', goName), 'utf8')) : undefined;
    const warehouse = await openDuckDbWarehouse(duckdbPath, lockWaitMs === undefined ? {} : { lockWaitMs });
    try {
      const report = await loadFile(warehouse, {
        source: await openLocalFile(path),
        mapping,
        compressed,
        loadId: randomUUID(),
        ...(goFile ? { goFile } : {}),
        force,
      });
      outcomes.push(report.outcome);
    } finally {
      await warehouse.close();
    }
  }
  return outcomes;
}

/** Rows of a query on a DuckDB file, opened read-only and closed again so dbt and the loader can take their turns. */
export async function queryDuckDb(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
