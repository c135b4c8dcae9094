// Loading: the load use case, the warehouse port it drives, and the file checks it makes before a load.
export { goFileText, loadFile, prepareLoad, settled } from './load-file.js';
export type { GoFileInput, LoadReport, LoadRequest, PrepareOptions, PreparedLoad } from './load-file.js';
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
export { RESERVED_COLUMNS, checkHeader, foldName, nameProblem, readHeader } from './header.js';
export { MAX_COLUMNS, MAX_COLUMN_NAME_CHARS, MAX_GO_FILE_BYTES, MAX_LINE_BYTES } from './limits.js';
export { CSV_PROBLEMS, CsvLexer, CsvSyntaxError, csvRecords, firstRecord } from './csv-lexer.js';
export type { CsvRecord } from './csv-lexer.js';
export { NULL_MARKER, dataRecords, firstBadRecord, jobRecords, writeCanonicalCsv } from './records.js';
export type { CanonicalCsv } from './records.js';
export type { RecordsOptions } from './records.js';
export { TAIL_READ_BYTES, countNewlines, locateTrailer, trailerFromTail } from './trailer.js';
export type { TrailerLine } from './trailer.js';
export { copyPlainPrefix, gzipError, openPlainStream, plainPrefix } from './plain-stream.js';
export type { PlainCopyOptions } from './plain-stream.js';
export { withReadCache } from './read-cache.js';
export { checkExpectedRows } from './row-check.js';
export { SuspectBytes, eachChunk, hasSuspectBytes } from './suspect-bytes.js';
export { errorSidecarName, sidecarText } from './failure-report.js';
export type { FailureReport } from './failure-report.js';
export { checkLandfallTable, planColumns } from './columns.js';
export { badCastError } from './cast-failure.js';
export type { BadValues } from './cast-failure.js';
export type { ColumnPlan } from './columns.js';
export { describeFields } from './formats/describe.js';
export type { ColumnType } from './formats/column-types.js';
export { jsonLines, describeJsonLines, readJsonLine } from './formats/jsonl.js';
export type { JsonLine } from './formats/jsonl.js';
export { MAX_JSON_DEPTH, splitObject, textOfJson } from './formats/json-object.js';
export { fieldRecords, recordWord } from './formats/field-records.js';
export type { FieldRecord } from './formats/field-records.js';
