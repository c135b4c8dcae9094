// What `<name>.error.json` beside a failed file says, the same from the CLI and the pipeline, and the name it gets.
import { createHash } from 'node:crypto';

/** Enough for a person to act on without reading logs. */
export interface FailureReport {
  /** Why, in words: the error the load ended with. */
  error: string;
  /** Where the problem is: the data file or its go file, and the line when one is known. */
  problem: { file: string; line: number | null };
  /** The data file: `gs://bucket/name#generation`, or `file:///…` for the CLI. */
  file: string;
  /** Its path, the identity `load_metadata.path` holds. */
  path: string;
  table: string | null;
  batchKey: string | null;
  loadId: string | null;
  goFile: string | null;
  failedAt: string;
}

const SUFFIX = '.error.json';
/** The longest file name most file systems take (ext4, APFS, NTFS: 255 bytes). */
const MAX_NAME_BYTES = 255;

/**
 * `<name>.error.json`, with a name that always fits: a base name too long for the suffix is cut (on a character
 * boundary) and given a hash of the whole, so two long names never share a sidecar.
 */
export function errorSidecarName(failedName: string): string {
  const cut = failedName.lastIndexOf('/') + 1;
  const [folder, base] = [failedName.slice(0, cut), failedName.slice(cut)];
  if (Buffer.byteLength(base + SUFFIX) <= MAX_NAME_BYTES) return `${failedName}${SUFFIX}`;
  const hash = `~${createHash('sha256').update(base).digest('hex').slice(0, 16)}`;
  let kept = base;
  while (Buffer.byteLength(kept + hash + SUFFIX) > MAX_NAME_BYTES) kept = [...kept].slice(0, -1).join('');
  return `${folder}${kept}${hash}${SUFFIX}`;
}

export function sidecarText(report: FailureReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
