// A local file's lifecycle after a load: into the archive or failed folder under its path, with an error sidecar on failure.
import { access, copyFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { errorSidecarName, sidecarText, type FailureReport } from '../../load/index.js';

const exists = (path: string) => access(path).then(() => true, () => false);

/** `target`, or the first of `name~2.ext`, `name~3.ext`, … that is free: a move never replaces another file. */
async function freeName(target: string): Promise<string> {
  if (!(await exists(target))) return target;
  const { dir, name, ext } = parse(target);
  for (let n = 2; ; n++) {
    const candidate = join(dir, `${name}~${n}${ext}`);
    if (!(await exists(candidate))) return candidate;
  }
}

/**
 * Moves `path` to `relPath` under `folder` (folders created), so a landing layout is kept (`day1/x.csv` and
 * `day2/x.csv` stay apart); a name already taken gets a `~N` suffix instead of being replaced. Returns the new path.
 */
export async function moveInto(path: string, folder: string, relPath: string): Promise<string> {
  const target = await freeName(join(folder, relPath));
  await mkdir(dirname(target), { recursive: true });
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

/** Writes `<name>.error.json` beside the failed file (`failedPath`, where it was moved); its name always fits. */
export async function writeErrorSidecar(failedPath: string, report: FailureReport): Promise<string> {
  const path = errorSidecarName(failedPath);
  await writeFile(path, sidecarText(report));
  return path;
}
