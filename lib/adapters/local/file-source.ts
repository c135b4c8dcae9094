// A FileSource over a local path: identity from the content MD5, ranged reads for the header and tail.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { FileSource } from '../../load/source.js';

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest('hex');
}

async function readRange(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The identity path of a local file: its path under `landingRoot` (with `/` separators), or the absolute path when
 * there is no landing root or the file lies outside it.
 */
export function identityPath(absolute: string, landingRoot: string | undefined): string {
  if (landingRoot === undefined) return absolute;
  const under = relative(resolve(landingRoot), absolute);
  return under === '' || under.startsWith('..') || isAbsolute(under) ? absolute : under.split(sep).join('/');
}

/**
 * Opens a local file as a FileSource. A local file has no object generation, so its content MD5 stands in: the
 * same bytes at the same path are the same identity, whenever they are loaded. The path is taken under
 * `landingRoot` when one is given (`--landing`, LANDING_PATH), so a landing folder can move without changing it.
 */
export async function openLocalFile(path: string, options: { landingRoot?: string } = {}): Promise<FileSource> {
  const absolute = resolve(path);
  const info = await stat(absolute);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  const bytes = info.size;
  return {
    name: basename(absolute),
    path: identityPath(absolute, options.landingRoot),
    uri: pathToFileURL(absolute).href,
    generation: await md5Of(absolute),
    bytes,
    readHead: (length) => readRange(absolute, 0, Math.min(length, bytes)),
    readTail: (length) => {
      const size = Math.min(length, bytes);
      return readRange(absolute, bytes - size, size);
    },
    localPath: async () => absolute,
  };
}
