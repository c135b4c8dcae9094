// The sizes landfall reads, the same on every backend.

/** The longest line (header or row) landfall reads: 10 MB values fit; DuckDB reads a buffer this size per thread. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** BigQuery's own limits on a table (docs, "Quotas and limits"): a file within them loads on every backend. */
export const MAX_COLUMNS = 10_000;
export const MAX_COLUMN_NAME_CHARS = 300;
/** A go file holds a count and a few lines: anything larger is not one, and is never read whole. */
export const MAX_GO_FILE_BYTES = 64 * 1024;
