// A file to load, wherever it lives: a local path (the CLI) or a bucket object (the loader function).

export interface FileSource {
  /** Base name the mapping matched, e.g. `trades_20240115.csv`; `load_metadata.filename`. */
  readonly name: string;
  /**
   * Where the file is, which with `generation` makes its identity (`load_metadata.path`): the object name under the
   * landing prefix in the pipeline (`day1/trades_1.csv`); for the CLI, the path under the landing root, or the
   * absolute path without one. Two paths are two files, whatever their base names.
   */
  readonly path: string;
  /** Where it came from, for `load_metadata.source_uri`: `file:///abs/path` or `gs://bucket/object`. */
  readonly uri: string;
  /**
   * The bucket object holding the bytes now, when it is one: for a replayed archive copy not `uri` (where the file
   * first landed, gone since). What a warehouse that loads from storage itself (BigQuery) must read.
   */
  readonly object?: { readonly bucket: string; readonly name: string; readonly generation: string };
  /**
   * With `path`, the file's identity: the object generation, or the content SHA-256 (hex) of a local file, which is
   * hashed from the moment the file is opened, beside whatever else the load does: it is awaited only where a
   * decision or a record needs it. The same identity is loaded at most once unless forced.
   */
  readonly generation: Promise<string>;
  readonly bytes: number;
  /**
   * Whether the bytes hold what DuckDB's reader loads where landfall's rules may refuse it (SuspectBytes), from a
   * source that reads all its bytes anyway (a local file, for its hash): a warehouse need not read them once more.
   */
  readonly suspectBytes?: Promise<boolean>;
  /** Up to `length` raw bytes from the start of the file (compressed bytes for `.gz`). */
  readHead(length: number): Promise<Buffer>;
  /** Up to `length` raw bytes from the end of the file. */
  readTail(length: number): Promise<Buffer>;
  /** A local path holding the whole file, for readers that need one (DuckDB). Fetched at most once. */
  localPath(): Promise<string>;
}

export const LOAD_STATUSES = ['loaded', 'skipped', 'failed', 'waiting'] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];

/** The result of one file, as `landfall load --json` prints it and load events carry it. */
export interface LoadOutcome {
  file: string;
  table: string;
  status: LoadStatus;
  rows: number;
  loadId: string | null;
  error: string | null;
}
