// Counts what a FileSource is asked for: ranged reads (calls and bytes) and whole-file downloads.
import type { FileSource } from '../../../lib/load/index.js';

export function countingSource(inner: FileSource): { source: FileSource; read: () => { bytes: number; reads: number; downloads: number } } {
  let bytes = 0;
  let reads = 0;
  let downloads = 0;
  const counted = async (buffer: Promise<Buffer>) => {
    const b = await buffer;
    bytes += b.length;
    reads++;
    return b;
  };
  const source: FileSource = {
    name: inner.name,
    path: inner.path,
    uri: inner.uri,
    generation: inner.generation,
    bytes: inner.bytes,
    readHead: (length) => counted(inner.readHead(length)),
    readTail: (length) => counted(inner.readTail(length)),
    localPath: () => {
      downloads++;
      return inner.localPath();
    },
  };
  return { source, read: () => ({ bytes, reads, downloads }) };
}
