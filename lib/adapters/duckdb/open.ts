// Opening the DuckDB warehouse: the file with bounded memory, waiting while another process (dbt, a loader) holds its lock.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_MEMORY_LIMIT as DEFAULT_MEMORY_LIMIT } from '../../config/settings.js';
import { classifyDuckDbError, isLockConflict } from './errors.js';
import { memoryBytes } from './memory.js';
import { ensureMetadataTable } from './metadata.js';
import { DuckDbWarehouseImpl } from './warehouse.js';
import type { DuckDbWarehouse, DuckDbWarehouseOptions } from './warehouse.js';

export const DEFAULT_LOCK_WAIT_MS = 60_000;
const LOCK_RETRY_FIRST_MS = 100;
const LOCK_RETRY_MAX_MS = 1_000;

/** Opens the file, retrying while another process holds its lock, until `lockWaitMs` has passed. */
async function createWhenUnlocked(path: string, config: Record<string, string>, lockWaitMs: number): Promise<DuckDBInstance> {
  const deadline = Date.now() + lockWaitMs;
  for (let delayMs = LOCK_RETRY_FIRST_MS; ; delayMs = Math.min(delayMs * 2, LOCK_RETRY_MAX_MS)) {
    try {
      return await DuckDBInstance.create(path, config);
    } catch (error) {
      if (!isLockConflict(error) || Date.now() + delayMs > deadline) throw classifyDuckDbError(error, { object: path });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * Opens (creating if needed) the database at `path` with bounded memory. DuckDB allows one writing process per
 * file, so a lock held by another process is a TransientError: close the warehouse as soon as the work is done.
 */
export async function openDuckDbWarehouse(path: string, options: DuckDbWarehouseOptions = {}): Promise<DuckDbWarehouse> {
  const tempDirectory = options.tempDirectory ?? join(tmpdir(), 'landfall');
  const memory = memoryBytes(options.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
  const config: Record<string, string> = {
    memory_limit: `${memory}B`,
    // Rows of one file need no order among themselves; keeping it costs memory on large loads.
    preserve_insertion_order: 'false',
  };
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  if (options.threads) config.threads = String(options.threads);
  if (options.checkpointThreshold) config.checkpoint_threshold = options.checkpointThreshold;
  const instance = await createWhenUnlocked(path, config, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  const connection = await instance.connect();
  await ensureMetadataTable(connection);
  const threads = Number((await connection.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJS()[0]?.t);
  return new DuckDbWarehouseImpl(path, instance, connection, tempDirectory, memory, threads);
}
