// DuckDB's memory limit for a load: the configured budget for rows, plus what DuckDB reserves per column it appends to.
import { ConfigError } from '../../errors.js';

/**
 * Measured on DuckDB 1.5.6: creating a table and appending even 3 rows in one transaction reserves up to ~180 KiB of
 * its memory limit per column (a 10,000-column load fails under 1.89 GB and passes at 2.04 GB), little of it resident
 * (RSS ~300 MiB at 10,000 columns). The limit is there to bound the rows of large files, so each column gets this
 * much on top of it.
 */
export const COLUMN_RESERVE_BYTES = 200 * 1024;

const UNITS: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** A DuckDB memory size (`256MB`, `1.5GiB`, `300000000B`; DuckDB's units: MB is 10^6, MiB 2^20) in bytes. */
export function memoryBytes(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined) {
    throw new ConfigError([{ file: 'env', line: 0, message: `DUCKDB_MEMORY_LIMIT must be a size such as 256MB or 1GiB, got "${text}"` }]);
  }
  return Math.round(Number(match[1]) * unit);
}

/** The limit a load of `columns` columns runs under. */
export function memoryForColumns(baseBytes: number, columns: number): number {
  return baseBytes + columns * COLUMN_RESERVE_BYTES;
}
