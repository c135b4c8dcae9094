// The shape of a resolved table mapping: what config/tables/**.yaml becomes after validation.

export const GO_FORMATS = ['properties', 'csv'] as const;
export type GoFormat = (typeof GO_FORMATS)[number];

export const REUPLOAD_POLICIES = ['replace', 'append', 'reject'] as const;
/** What a new generation (or new content) of an already-loaded file name does. */
export type ReuploadPolicy = (typeof REUPLOAD_POLICIES)[number];

/**
 * Where a go file says which file it vouches for and whether its producer finished (seed 001's CSV go file is
 * `trades_20240115.csv,12345,SUCCESS`). Each is read only when the mapping names it; a go file that names another
 * file, or a status not in `statusOk`, fails the data file.
 */
export interface GoFileChecks {
  /** The statuses that mean "complete" (DEFAULT_STATUS_OK when absent); read only with a status column or key. */
  statusOk?: readonly string[];
}

export type GoFileRule = GoFileChecks &
  (
    | { pattern: string; format: 'properties'; rowCountKey: string; nameKey?: string; statusKey?: string }
    | { pattern: string; format: 'csv'; rowCountColumn: number; nameColumn?: number; statusColumn?: number }
  );

/** What `status_ok` is when the mapping does not say. */
export const DEFAULT_STATUS_OK = ['SUCCESS'] as const;

export interface TrailerRule {
  /** 1-based column of the trailer line that holds the row count. */
  rowCountColumn: number;
  /**
   * The trailer line's first field, e.g. `TRAILER`. With it, a last line that does not start with the marker fails
   * the file ("no trailer line"); without it, any last line is taken for the trailer, so a file that lost its
   * trailer is caught only when its last row's count column happens not to match.
   */
  marker?: string;
}

import type { FileFormat } from './file-format.js';

export interface TableMapping {
  /** File-name pattern with exactly one `*`, e.g. `trades_*.csv`; the `*` part is the batch key. */
  pattern: string;
  table: string;
  goFile?: GoFileRule;
  trailer?: TrailerRule;
  /** One character; `,` unless the mapping says otherwise. CSV only. */
  delimiter: string;
  /**
   * What the files hold, when the mapping says (`format: parquet`); otherwise each file's extension says, and a name
   * with none of landfall's extensions is CSV.
   */
  format?: FileFormat;
  reupload: ReuploadPolicy;
  /** go_file mappings: how long a data file may wait for its go file (or a go file for its data) before the sweep reports it overdue. */
  maxWaitSeconds?: number;
  /** Where the mapping was written, for messages. */
  source: { file: string; line: number };
}
