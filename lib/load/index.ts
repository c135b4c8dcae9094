// Loading: the load use case, the warehouse port it drives, and the file checks it makes before a load.
export { loadFile } from './load-file.js';
export type { LoadReport, LoadRequest } from './load-file.js';
export { LOAD_RESULT_STATUSES, METADATA_STATUSES } from './warehouse.js';
export type {
  ExpectedCount,
  FailedLoad,
  LoadJob,
  LoadOptions,
  LoadProgress,
  LoadResult,
  LoadResultStatus,
  MetadataStatus,
  PriorLoad,
  ReplacePolicy,
  Warehouse,
} from './warehouse.js';
export { LOAD_STATUSES } from './source.js';
export type { FileSource, LoadOutcome, LoadStatus } from './source.js';
export { planReplacement } from './replace-plan.js';
export type { ReplacePlan } from './replace-plan.js';
export { MAX_LINE_BYTES, RESERVED_COLUMNS, checkHeader, foldName, readHeader } from './header.js';
export { RecordScanner, firstRecordEnd, physicalLineOf } from './csv-scan.js';
export { TAIL_READ_BYTES, countNewlines, locateTrailer, trailerFromTail } from './trailer.js';
export type { TrailerLine } from './trailer.js';
export { copyPlainPrefix, gzipError, openPlainStream, plainPrefix } from './plain-stream.js';
export { withReadCache } from './read-cache.js';
export { checkExpectedRows } from './row-check.js';
export { checkLandfallTable, planColumns } from './columns.js';
export type { ColumnPlan } from './columns.js';
