// The file DuckDB's reader opens for a load: always under a name landfall chose, so no path is ever read as a glob.
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { copyPlainPrefix } from '../../load/index.js';
import type { LoadJob } from '../../load/index.js';

/** A path DuckDB reads as itself: nothing in it that a glob (or anything else) expands. */
const PLAIN_PATH = /^[A-Za-z0-9_./-]+$/;

export interface RowsFile {
  /** The source's own file when its path is plain, else `landfall-<loadId>.csv` in the temp folder: a link to it, or a plain copy. */
  path: string;
  /** The trailer's physical line, counted while copying the rows before it. */
  trailerLine?: number;
  cleanup: () => Promise<void>;
}

/**
 * DuckDB expands `*`, `?` and `[…]` in a read_csv path, so `orders_?.csv` would read its neighbours too: a path with
 * anything but letters, digits and `_./-` reaches the reader as a link (or a copy) named by the load id instead. A
 * gzip or trailer file is copied out as plain rows (zlib checks a gzip stream to its end, DuckDB's reader does not);
 * `normalizeWith` also rewrites CRLF as LF.
 */
export async function rowsFile(job: LoadJob, tempDirectory: string, normalizeWith?: string): Promise<RowsFile> {
  const whole = !job.compressed && job.trailerOffset === undefined && normalizeWith === undefined;
  const local = whole ? await job.source.localPath() : undefined;
  if (local !== undefined && PLAIN_PATH.test(local)) return { path: local, cleanup: async () => undefined };
  await mkdir(tempDirectory, { recursive: true });
  const path = join(tempDirectory, `landfall-${job.loadId}${normalizeWith === undefined ? '' : '-lf'}.csv`);
  const cleanup = () => rm(path, { force: true });
  await cleanup();
  try {
    if (local !== undefined) {
      await symlink(local, path);
      return { path, cleanup };
    }
    const options = { compressed: job.compressed, ...(job.trailerOffset === undefined ? {} : { endOffset: job.trailerOffset }), ...(normalizeWith === undefined ? {} : { normalizeWith }) };
    const { newlines } = await copyPlainPrefix(job.source, path, options);
    return { path, cleanup, ...(job.trailerOffset === undefined ? {} : { trailerLine: newlines + 1 }) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
