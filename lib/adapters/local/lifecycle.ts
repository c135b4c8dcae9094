// A local file's lifecycle after a load: into the archive or failed folder, with an error sidecar on failure.
import { copyFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Moves `path` into `folder` (created if needed), replacing a file of the same name; returns the new path. */
export async function moveInto(path: string, folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const target = join(folder, basename(path));
  try {
    await rename(path, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: rename cannot cross it.
    await copyFile(path, target);
    await unlink(path);
  }
  return target;
}

/** What `<name>.error.json` says: enough for a person to act on without reading logs. */
export interface ErrorSidecar {
  reason: string;
  /** The file the problem is in: the data file, or its go file. */
  file: string;
  line: number | null;
  table: string | null;
  loadId: string | null;
  time: string;
}

/** Writes `<name>.error.json` beside the failed file in `folder`. */
export async function writeErrorSidecar(folder: string, name: string, sidecar: ErrorSidecar): Promise<string> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${name}.error.json`);
  await writeFile(path, `${JSON.stringify(sidecar, null, 2)}\n`);
  return path;
}
