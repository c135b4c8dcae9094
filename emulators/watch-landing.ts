// Watches a local folder and hands each file dropped there to `upload` once, after it has stopped growing.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface DroppedFile {
  /** Absolute (or as given) path on disk. */
  path: string;
  /** Path below the watched folder, with `/` separators: becomes the object name below the landing prefix. */
  relativePath: string;
  size: number;
}

export interface LandingWatchOptions {
  dir: string;
  upload: (file: DroppedFile) => Promise<void>;
  /** How often the folder is scanned. */
  pollMs?: number;
  /** A file is taken once its size and modification time have not changed for this long (a copy in progress grows). */
  stableMs?: number;
  /** An upload that threw; the file is not retried until it changes again (touch it to retry). */
  onError?: (file: DroppedFile, error: unknown) => void;
  now?: () => number;
}

export interface LandingWatcher {
  /** Files that were already in the folder when watching began: left alone unless they change. */
  readonly existing: readonly string[];
  /** Runs one scan now (tests use it to step without waiting for the timer). */
  scan(): Promise<void>;
  /** Stops scanning and waits for uploads in flight. */
  close(): Promise<void>;
}

export const DEFAULT_POLL_MS = 200;
export const DEFAULT_STABLE_MS = 500;

// Editors, browsers and copy tools write under these names first and rename when done.
const TEMPORARY = [/^\./, /~$/, /\.(tmp|temp|part|partial|crdownload|download|swp|swx)$/i];

export function isTemporaryName(name: string): boolean {
  return TEMPORARY.some((pattern) => pattern.test(name));
}

interface Seen {
  signature: string;
  since: number;
}

async function listFiles(dir: string): Promise<Map<string, { size: number; signature: string }>> {
  const found = new Map<string, { size: number; signature: string }>();
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return; // removed while we looked
    }
    for (const entry of entries) {
      if (isTemporaryName(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await stat(path).catch(() => undefined);
        if (info) found.set(path, { size: info.size, signature: `${info.size}:${info.mtimeMs}` });
      }
    }
  };
  await walk(dir);
  return found;
}

export async function watchLanding(options: LandingWatchOptions): Promise<LandingWatcher> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
  const now = options.now ?? Date.now;
  await mkdir(options.dir, { recursive: true });
  const seen = new Map<string, Seen>();
  // The signature each path was last handed over with (or found with at start): the same one is never sent twice.
  const taken = new Map<string, string>();
  const inFlight = new Set<Promise<void>>();

  const initial = await listFiles(options.dir);
  for (const [path, file] of initial) taken.set(path, file.signature);

  const hand = (path: string, size: number, signature: string) => {
    taken.set(path, signature);
    const file: DroppedFile = { path, relativePath: relative(options.dir, path).split(sep).join('/'), size };
    const job = options.upload(file).catch((error: unknown) => options.onError?.(file, error));
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  };

  let scanning: Promise<void> | undefined;
  const scanOnce = async () => {
    const files = await listFiles(options.dir);
    const at = now();
    for (const path of [...seen.keys(), ...taken.keys()]) {
      // Gone: forget it, so the same file dropped again is uploaded again.
      if (!files.has(path)) seen.delete(path), taken.delete(path);
    }
    for (const [path, { size, signature }] of files) {
      if (taken.get(path) === signature) continue;
      const before = seen.get(path);
      if (before === undefined || before.signature !== signature) {
        seen.set(path, { signature, since: at });
      } else if (at - before.since >= stableMs) {
        seen.delete(path);
        hand(path, size, signature);
      }
    }
  };
  const scan = () => (scanning ??= scanOnce().finally(() => (scanning = undefined)));

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (closed) return;
    // A failed scan (the folder vanished mid-walk) is simply tried again on the next tick.
    timer = setTimeout(() => void scan().catch(() => undefined).finally(tick), pollMs);
  };
  tick();

  return {
    existing: [...initial.keys()].map((path) => relative(options.dir, path).split(sep).join('/')).sort(),
    scan,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await scanning;
      await Promise.all(inFlight);
    },
  };
}
