// Which DuckDB errors are transient (retry later) and which are terminal (the input is wrong): decided here only.
import { LandfallError, TerminalError, TransientError } from '../../errors.js';
import type { ErrorContext } from '../../errors.js';
import type { LoadJob } from '../../load/index.js';
import { FIELD_COUNT_ERROR } from './load-sql.js';

/**
 * DuckDB error kinds that mean the statement or its input is wrong: the same attempt fails the same way.
 * Anything else (a lock another process holds, `Out of Memory`, `IO Error` such as a full disk, an internal
 * error) may pass on another attempt, so it is transient.
 */
const TERMINAL_KINDS = ['Invalid Input Error', 'Catalog Error', 'Binder Error', 'Conversion Error', 'Constraint Error', 'Parser Error'] as const;

export function isTransientDuckDbError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return !TERMINAL_KINDS.some((kind) => message.startsWith(`${kind}:`));
}

/** DuckDB ran out of the memory its limit allows. */
export function isOutOfMemory(error: unknown): boolean {
  return (error instanceof Error ? error.message : String(error)).startsWith('Out of Memory Error');
}

/**
 * DuckDB's CSV reader refused the file, or the statement's own field-count check did: either a row breaks one of
 * landfall's rules (landfall's reader names it), or DuckDB's reader cannot take a file that keeps them. Its one-pass
 * reader (`parallel = false`, which its errors suggest) is no way out: it drops a last record whose quote never
 * closes, without a word.
 */
export function isReaderError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return ['CSV Error on Line', 'CSV Parser state machine', 'Parallel CSV Reader', 'parallel scanner', FIELD_COUNT_ERROR].some((m) => message.includes(m));
}

/** Another process holds the database file (DuckDB allows one writer per file). */
export function isLockConflict(error: unknown): boolean {
  return (error instanceof Error ? error.message : String(error)).includes('Could not set lock');
}

/** Wraps a DuckDB error in landfall's terms (landfall's own errors pass through as they are). */
export function classifyDuckDbError(error: unknown, context: ErrorContext): LandfallError {
  if (error instanceof LandfallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isTransientDuckDbError(error)) return new TransientError(`DuckDB: ${message}`, context, error);
  return new TerminalError(`DuckDB: ${message.split('\n')[0]}`, context, error);
}

/** DuckDB's JSON or Parquet reader refused a file landfall's own read let through: said in the file's terms. */
export function readerFailure(job: LoadJob, error: unknown): unknown {
  const classified = classifyDuckDbError(error, { file: job.source.name, table: job.table, loadId: job.loadId });
  if (!(classified instanceof TerminalError) || classified.message.startsWith(job.source.name)) return classified;
  const what = String((error as Error).message ?? error).split('\n')[0]!.replace(/^[A-Za-z ]*Error: /, '');
  const format = job.format === 'jsonl' ? 'JSON lines' : job.format === 'avro' ? 'Avro' : 'Parquet';
  return new TerminalError(`${job.source.name}: the file is not valid ${format} (${what})`, { file: job.source.name, table: job.table, loadId: job.loadId }, error);
}

/** The file's own failure once DuckDB ran out of memory loading it, `how` said after the limit it had. */
export function outOfMemory(job: LoadJob, memoryLimit: number, how: string, cause: unknown): TerminalError {
  const file = job.source.name;
  const what = `DuckDB ran out of memory loading it (memory limit ${memoryLimit} bytes for its ${job.header.length} columns), ${how}: raise DUCKDB_MEMORY_LIMIT to load it`;
  return new TerminalError(`${file}: ${what}`, { file, table: job.table, loadId: job.loadId }, cause);
}
