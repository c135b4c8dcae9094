// The load use case: validate one file against its mapping, hand the warehouse one job, report the outcome.
import { tableNameProblem } from '../config/index.js';
import type { FileFormat, TableMapping } from '../config/index.js';
import { describeFields } from './formats/describe.js';
import { TerminalError } from '../errors.js';
import { parseGoFile, parseTrailer } from '../validate/index.js';
import { gzipError, openPlainStream } from './plain-stream.js';
import { planForSource } from './replace-plan.js';
import type { FileSource, LoadOutcome } from './source.js';
import { withReadCache } from './read-cache.js';
import { MAX_GO_FILE_BYTES } from './limits.js';
import { locateTrailer, trailerFromTail } from './trailer.js';
import type { TrailerLine } from './trailer.js';
import type { ExpectedCount, LoadJob, LoadProgress, LoadResult, ReplacePolicy, Warehouse } from './warehouse.js';

export interface LoadRequest {
  source: FileSource;
  mapping: TableMapping;
  /** The source is `.gz` (from the classification). */
  compressed: boolean;
  /** What the file holds (from the classification); CSV when absent. */
  format?: FileFormat;
  /** A UUID chosen by the caller: random for the CLI, derived from the request in the pipeline. */
  loadId: string;
  /** The companion go file, when the mapping has one. */
  goFile?: GoFileInput;
  /** Reload an identity that is already loaded, replacing its rows. */
  force?: boolean;
  /** A pipeline replay: the operator asked for the file again, so it counts as forced. */
  replay?: boolean;
  /**
   * The pipeline's first claim of this path ever (not a replay): nothing of it can be in the warehouse yet, so a
   * warehouse whose "loaded before?" lookup costs a query (BigQuery) skips it. Retakes and corrections look it up.
   */
  fresh?: boolean;
  /**
   * When the claim on this file stops being renewed (epoch ms): the loader's timeout. A commit that starts later is
   * not this loader's to make: once the claim lapses another loader may take the file, and its lookup cannot see a
   * commit still to come. A group commit hands such a file back (retryable) instead.
   */
  commitBy?: number;
  onProgress?: (progress: LoadProgress) => void;
}

/** A go file as a load reads it: its name and size, and its text, fetched only when the size fits a go file. */
export interface GoFileInput {
  name: string;
  bytes: number;
  read(): Promise<string>;
}

/** A go file whose text is already in hand. */
export function goFileText(name: string, text: string): GoFileInput {
  return { name, bytes: Buffer.byteLength(text), read: async () => text };
}

/** The go file's text; a file too large to be a go file fails the data file without being read. */
async function readGoFile(goFile: GoFileInput): Promise<string> {
  const file = goFile.name;
  if (goFile.bytes > MAX_GO_FILE_BYTES) {
    const what = `the go file is ${goFile.bytes} bytes, more than the ${MAX_GO_FILE_BYTES} a go file may have (a count and a few lines): is it the right file?`;
    throw new TerminalError(`${file} line 1: ${what}`, { file, line: 1 });
  }
  return goFile.read();
}

export interface LoadReport {
  outcome: LoadOutcome;
  /** Why the file failed (status `failed`), with `context.file`/`line` where known. */
  failure?: TerminalError;
  replacedLoadIds: string[];
  expectedRows: number | null;
  /** When skipped: the rows the earlier load (`outcome.loadId`) holds of this generation. */
  earlierRows?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function outcome(request: LoadRequest, fields: Pick<LoadOutcome, 'status' | 'rows' | 'loadId' | 'error'>): LoadOutcome {
  return { file: request.source.name, table: request.mapping.table, ...fields };
}

/**
 * The trailer line: from ranged reads of the end of a plain file (never the whole object), streamed for gzip,
 * which has no random access.
 */
async function findTrailer(source: FileSource, compressed: boolean): Promise<TrailerLine> {
  if (!compressed) return trailerFromTail(source);
  try {
    return await locateTrailer(await openPlainStream(source, true), source.name);
  } catch (error) {
    throw gzipError(error, source.name);
  }
}

/** The count from the go file or trailer, and where the rows end when a trailer must be left out. */
async function expectedCount(request: LoadRequest, source: FileSource): Promise<{ expected?: ExpectedCount; trailerOffset?: number }> {
  const { mapping, goFile } = request;
  if (mapping.goFile && goFile) {
    const parsed = parseGoFile(await readGoFile(goFile), mapping.goFile, goFile.name, source);
    return { expected: { rows: parsed.expectedRows, file: goFile.name, line: parsed.line } };
  }
  if (!mapping.trailer) return {};
  const trailer = await findTrailer(source, request.compressed);
  const parsed = parseTrailer(trailer.text, trailer.lineNumber, mapping.trailer, source.name, mapping.delimiter);
  return {
    expected: { rows: parsed.expectedRows, file: source.name, ...(trailer.lineNumber === undefined ? {} : { line: trailer.lineNumber }) },
    trailerOffset: trailer.offset,
  };
}

async function buildJob(request: LoadRequest, source: FileSource, replace: ReplacePolicy, startedAt: Date): Promise<LoadJob> {
  const { mapping } = request;
  const tableProblem = tableNameProblem(mapping.table);
  if (tableProblem) throw new TerminalError(`${source.name}: ${tableProblem}`, { file: source.name, table: mapping.table });
  const format = request.format ?? 'csv';
  if (format !== 'csv' && mapping.trailer) {
    throw new TerminalError(`${source.name}: the mapping asks for a trailer line, which only a CSV file has, and this file is ${format}`, { file: source.name, table: mapping.table });
  }
  const { header, types } = await describeFields(source, { format, delimiter: mapping.delimiter, compressed: request.compressed });
  const { expected, trailerOffset } = await expectedCount(request, source);
  return {
    table: mapping.table,
    loadId: request.loadId,
    source,
    header,
    ...(format === 'csv' ? {} : { format }),
    ...(types === undefined ? {} : { types }),
    delimiter: mapping.delimiter,
    compressed: request.compressed,
    ...(trailerOffset === undefined ? {} : { trailerOffset }),
    ...(expected === undefined ? {} : { expected }),
    replace,
    startedAt,
    ...(request.fresh ? { fresh: true } : {}),
  };
}

/** A request readied for the warehouse (`job`, and what turns its fate into a report), or already decided. */
export type PreparedLoad =
  | { report: LoadReport }
  | { job: LoadJob; settle: (fate: PromiseSettledResult<LoadResult>) => Promise<LoadReport> };

export interface PrepareOptions {
  /**
   * Ask the warehouse whether the path is in already before reading the file (the CLI's way: a skip reads nothing).
   * A batch leaves the decision to its commit, which makes it for all its files at once.
   */
  lookupFirst: boolean;
}

/**
 * Checks one file against its mapping (header, go file or trailer) and builds its warehouse job. Bad input is
 * recorded (a `failed` row in `load_metadata`) and reported as `failed`, here or when its fate is settled; any
 * other error is thrown for the caller to retry.
 */
export async function prepareLoad(warehouse: Warehouse, request: LoadRequest, options: PrepareOptions): Promise<PreparedLoad> {
  const { mapping, loadId } = request;
  // The header check, the trailer search and the warehouse's probes share one ranged read of each end.
  const source = withReadCache(request.source);
  if (!UUID.test(loadId)) throw new TerminalError(`loadId must be a UUID, got "${loadId}"`, { file: request.source.name, loadId });
  if (mapping.goFile && !request.goFile) {
    return { report: { outcome: outcome(request, { status: 'waiting', rows: 0, loadId: null, error: null }), replacedLoadIds: [], expectedRows: null } };
  }
  const startedAt = new Date();
  let expectedRows: number | null = null;
  const failed = async (error: unknown): Promise<LoadReport> => {
    if (!(error instanceof TerminalError)) throw error;
    await warehouse.recordFailure({ table: mapping.table, loadId, source, expectedRows, startedAt, error: error.message });
    return { outcome: outcome(request, { status: 'failed', rows: 0, loadId, error: error.message }), failure: error, replacedLoadIds: [], expectedRows };
  };
  const settle = async (fate: PromiseSettledResult<LoadResult>): Promise<LoadReport> => {
    if (fate.status === 'rejected') return failed(fate.reason);
    const result = fate.value;
    return {
      outcome: outcome(request, { status: result.status, rows: result.rows, loadId: result.loadId, error: null }),
      replacedLoadIds: result.replacedLoadIds,
      expectedRows,
      ...(result.earlierRows === undefined ? {} : { earlierRows: result.earlierRows }),
    };
  };
  try {
    const replace: ReplacePolicy = { force: Boolean(request.force || request.replay), reupload: mapping.reupload };
    if (options.lookupFirst) {
      const plan = await planForSource(await warehouse.priorLoads(mapping.table, source.path), source.generation, replace, { table: mapping.table, file: source.path });
      if (plan.action === 'skip') {
        return { report: { outcome: outcome(request, { status: 'skipped', rows: 0, loadId: plan.loadId, error: null }), replacedLoadIds: [], expectedRows, earlierRows: plan.rows } };
      }
    }
    const job = await buildJob(request, source, replace, startedAt);
    expectedRows = job.expected?.rows ?? null;
    return { job, settle };
  } catch (error) {
    return { report: await failed(error) };
  }
}

/** A promise's outcome as a value, as `Promise.allSettled` gives it. */
export async function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await promise };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/**
 * Loads one file on its own. Bad input is recorded (a `failed` row in `load_metadata`) and reported as `failed`;
 * a TransientError (e.g. the database is locked) is thrown for the caller to retry.
 */
export async function loadFile(warehouse: Warehouse, request: LoadRequest): Promise<LoadReport> {
  const prepared = await prepareLoad(warehouse, request, { lookupFirst: true });
  if ('report' in prepared) return prepared.report;
  return prepared.settle(await settled(warehouse.load(prepared.job, request.onProgress ? { onProgress: request.onProgress } : {})));
}
