// The warehouse port: what a backend (DuckDB locally, BigQuery in production) must do to take one file's rows.
import type { FileFormat } from '../config/file-format.js';
import type { ReuploadPolicy } from '../config/mapping.js';
import type { ColumnType } from './formats/column-types.js';
import type { FileSource } from './source.js';

/** Where an expected row count came from, for messages such as "expected 12 (go file X line 1)". */
export interface ExpectedCount {
  rows: number;
  /** The go file, or the data file itself for a trailer. */
  file: string;
  /**
   * Where the count stands. Undefined for a trailer of a large plain file, whose line number only a full read
   * could give: a warehouse that reads the rows anyway passes it to `checkExpectedRows`, messages say "last line".
   */
  line?: number;
}

/** How a load treats earlier loads of the same file (path) in the same table. */
export interface ReplacePolicy {
  /** Reload an identity that is already loaded, replacing its rows (`--force`, or a pipeline replay). */
  force: boolean;
  /** What a new generation of an already-loaded path does. */
  reupload: ReuploadPolicy;
}

/** Everything a warehouse needs to load one validated file, in one transaction. */
export interface LoadJob {
  table: string;
  /** A UUID chosen by the caller; stamped on every row as `_load_id`. */
  loadId: string;
  /** Identity (name, uri, generation, bytes) and the bytes themselves. */
  source: FileSource;
  /**
   * The file's field names, validated (no empty, duplicate or reserved names): a CSV header, every key of a JSON-lines
   * file in the order first seen, a Parquet or Avro schema's columns.
   */
  header: readonly string[];
  /** What the file holds; CSV when absent. */
  format?: FileFormat;
  /** Parquet and Avro: each field's type, which a new table takes. Absent: every field loads as a string. */
  types?: readonly ColumnType[];
  /** CSV only. */
  delimiter: string;
  /** The source is gzip-compressed as a whole (`.csv.gz`, `.jsonl.gz`). */
  compressed: boolean;
  /**
   * Byte offset, in the uncompressed content, where the trailer line starts: rows end before it.
   * Absent when the mapping has no trailer. (Its line number, when known, is `expected.line`.)
   */
  trailerOffset?: number;
  /** The count the rows must match, when a go file or trailer gives one. */
  expected?: ExpectedCount;
  replace: ReplacePolicy;
  startedAt: Date;
  /** Nothing of this path can be in the warehouse yet (LoadRequest.fresh): a costly lookup may be skipped. */
  fresh?: boolean;
}

export const LOAD_RESULT_STATUSES = ['loaded', 'skipped'] as const;
export type LoadResultStatus = (typeof LOAD_RESULT_STATUSES)[number];

export interface LoadResult {
  status: LoadResultStatus;
  /** The load the file's rows belong to: the job's own, or the earlier load when skipped. */
  loadId: string;
  /** Rows inserted (0 when skipped). */
  rows: number;
  /** When skipped: the rows the earlier load holds. */
  earlierRows?: number;
  /** Earlier loads whose rows this load deleted and whose metadata it marked `replaced`. */
  replacedLoadIds: string[];
}

export const METADATA_STATUSES = ['loaded', 'failed', 'replaced'] as const;
/** `load_metadata.status`: `replaced` rows were deleted by a later load of the same file. */
export type MetadataStatus = (typeof METADATA_STATUSES)[number];

/** One earlier `load_metadata` row of a path in a table. */
export interface PriorLoad {
  loadId: string;
  generation: string;
  status: MetadataStatus;
  /** Rows it inserted (0 for a failed load). */
  rows: number;
}

/** A load that failed; recorded as its own `load_metadata` row after the rollback. */
export interface FailedLoad {
  table: string;
  loadId: string;
  source: Pick<FileSource, 'name' | 'path' | 'uri' | 'generation' | 'bytes'>;
  expectedRows: number | null;
  startedAt: Date;
  error: string;
}

export interface LoadProgress {
  /** 0–100, or -1 when the backend cannot tell. */
  percent: number;
}

export interface LoadOptions {
  /** Called now and then during a long load, for a terminal progress line. */
  onProgress?: (progress: LoadProgress) => void;
}

export interface Warehouse {
  /** Earlier `load_metadata` rows of this path in this table (any status), oldest first. */
  priorLoads(table: string, path: string): Promise<PriorLoad[]>;
  /**
   * Loads the job in ONE transaction: create the table if absent, insert the rows (drift into `_extra`),
   * check the count, replace earlier loads as the policy says, write `load_metadata`, commit.
   * Throws TerminalError (bad data; nothing changed) or TransientError (try again later).
   */
  load(job: LoadJob, options?: LoadOptions): Promise<LoadResult>;
  /**
   * Loads many files in as few commits as the backend allows (a group commit), each as `load` would: its own
   * `_load_id`, count check, replacements and `load_metadata` row. Each file has its own fate, in the order of
   * `jobs`: its result, or the error that failed it alone (a TerminalError for bad data), while the others commit.
   * Rejects as a whole only when nothing was committed (a TransientError: try them all again).
   */
  loadBatch(jobs: readonly LoadJob[]): Promise<PromiseSettledResult<LoadResult>[]>;
  /** Writes a `failed` row to `load_metadata`, leaving every table and earlier row as it was. */
  recordFailure(failure: FailedLoad): Promise<void>;
  close(): Promise<void>;
}
