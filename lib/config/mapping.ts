// The shape of a resolved table mapping: what config/tables/**.yaml becomes after validation.

export const GO_FORMATS = ['properties', 'csv'] as const;
export type GoFormat = (typeof GO_FORMATS)[number];

export const REUPLOAD_POLICIES = ['replace', 'append', 'reject'] as const;
/** What a new generation (or new content) of an already-loaded file name does. */
export type ReuploadPolicy = (typeof REUPLOAD_POLICIES)[number];

export type GoFileRule =
  | { pattern: string; format: 'properties'; rowCountKey: string }
  | { pattern: string; format: 'csv'; rowCountColumn: number };

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

export interface TableMapping {
  /** File-name pattern with exactly one `*`, e.g. `trades_*.csv`; the `*` part is the batch key. */
  pattern: string;
  table: string;
  goFile?: GoFileRule;
  trailer?: TrailerRule;
  /** One character; `,` unless the mapping says otherwise. */
  delimiter: string;
  reupload: ReuploadPolicy;
  /** go_file mappings: how long a data file may wait for its go file (or a go file for its data) before the sweep reports it overdue. */
  maxWaitSeconds?: number;
  /** Where the mapping was written, for messages. */
  source: { file: string; line: number };
}
