// A FileSource over a bucket object: ranged reads for head and tail, one download to a temp file for DuckDB.
import type { File } from '@google-cloud/storage';
import { randomUUID } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisposableSource, SourceIdentity } from '../../pipeline/ports.js';

async function readRange(file: File, start: number, endInclusive: number): Promise<Buffer> {
  if (endInclusive < start) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of file.createReadStream({ start, end: endInclusive, validation: false })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readLocalRange(path: string, start: number, endInclusive: number): Promise<Buffer> {
  if (endInclusive < start) return Buffer.alloc(0);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(endInclusive - start + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** `identity` is what the engine records (for a replayed archive copy: where the file first landed). */
export function openObjectSource(
  file: File,
  bytes: number,
  identity: SourceIdentity,
  tempRoot = tmpdir(),
): DisposableSource {
  let downloaded: Promise<string> | undefined;
  let local: string | undefined;
  // A name of landfall's own, with nothing a reader could take for a pattern: DuckDB reads it as it is.
  const path = join(tempRoot, `landfall-object-${randomUUID()}`);
  const download = async (): Promise<string> => {
    await mkdir(tempRoot, { recursive: true });
    await file.download({ destination: path });
    local = path;
    return path;
  };
  // Once the object is here, head and tail come from the local copy instead of another request each.
  const range = (start: number, endInclusive: number) =>
    local === undefined ? readRange(file, start, endInclusive) : readLocalRange(local, start, endInclusive);
  return {
    ...identity,
    object: { bucket: file.bucket.name, name: file.name, generation: String(file.generation ?? identity.generation) },
    generation: Promise.resolve(identity.generation),
    bytes,
    readHead: (length) => range(0, Math.min(length, bytes) - 1),
    readTail: (length) => range(Math.max(0, bytes - length), bytes - 1),
    localPath: () => (downloaded ??= download()),
    dispose: async () => {
      await downloaded?.catch(() => undefined);
      local = undefined;
      if (downloaded) await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}
