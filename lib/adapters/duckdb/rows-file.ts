// The file DuckDB's reader opens for a load: always under a name landfall chose, so no path is ever read as a glob.
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { copyPlainPrefix } from '../../load/index.js';
import type { LoadJob } from '../../load/index.js';

export interface RowsFile {
  /** `landfall-<loadId>.csv` in the temp folder: a link to the source, or a plain copy of it. */
  path: string;
  /** The trailer's physical line, counted while copying the rows before it. */
  trailerLine?: number;
  cleanup: () => Promise<void>;
}

/**
 * DuckDB expands `*`, `?` and `[…]` in a read_csv path, so `orders_?.csv` would read its neighbours too: the reader
 * gets a link (or a copy) named by the load id instead. A gzip or trailer file is copied out as plain rows (zlib
 * checks a gzip stream to its end, DuckDB's reader does not); `normalizeWith` also rewrites CRLF as LF.
 */
export async function rowsFile(job: LoadJob, tempDirectory: string, normalizeWith?: string): Promise<RowsFile> {
  await mkdir(tempDirectory, { recursive: true });
  const path = join(tempDirectory, `landfall-${job.loadId}${normalizeWith === undefined ? '' : '-lf'}.csv`);
  const cleanup = () => rm(path, { force: true });
  await cleanup();
  try {
    if (!job.compressed && job.trailerOffset === undefined && normalizeWith === undefined) {
      await symlink(await job.source.localPath(), path);
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
