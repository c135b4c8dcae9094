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
export { planForSource, planReplacement } from './replace-plan.js';
export type { ReplacePlan } from './replace-plan.js';
export { MAX_COLUMNS, MAX_COLUMN_NAME_CHARS, MAX_LINE_BYTES, RESERVED_COLUMNS, checkHeader, foldName, readHeader } from './header.js';
export { bareCarriageReturn, findLineEndingProblem, loneCrError, normalizeLineEnds } from './line-endings.js';
export type { LineEndingProblem } from './line-endings.js';
export { RecordScanner, firstRecordEnd, physicalLineOf } from './csv-scan.js';
export { TAIL_READ_BYTES, countNewlines, locateTrailer, trailerFromTail } from './trailer.js';
export type { TrailerLine } from './trailer.js';
export { copyPlainPrefix, gzipError, openPlainStream, plainPrefix } from './plain-stream.js';
export type { PlainCopyOptions } from './plain-stream.js';
export { withReadCache } from './read-cache.js';
export { checkExpectedRows } from './row-check.js';
export { eachChunk, firstNulLine, lineOf, nulByteError, nulIn } from './nul.js';
export { errorSidecarName, sidecarText } from './failure-report.js';
export type { FailureReport } from './failure-report.js';
export { checkLandfallTable, planColumns } from './columns.js';
export type { ColumnPlan } from './columns.js';
