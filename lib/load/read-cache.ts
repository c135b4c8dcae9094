// A FileSource that keeps the head and tail bytes it has read, so the engine and the warehouse read each range once.
import type { FileSource } from './source.js';

/**
 * Wraps `source`: a read of the head or tail that falls within bytes already read is served from them (a head
 * read that covered the whole file serves tails too). The header check, the trailer search and the warehouse's
 * own probes then cost one ranged read each end, whatever the file's size.
 */
export function withReadCache(source: FileSource): FileSource {
  let head: Buffer = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0);
  const whole = (bytes: Buffer) => bytes.length >= source.bytes;
  return {
    name: source.name,
    path: source.path,
    uri: source.uri,
    ...(source.object ? { object: source.object } : {}),
    generation: source.generation,
    bytes: source.bytes,
    ...(source.suspectBytes ? { suspectBytes: source.suspectBytes } : {}),
    readHead: async (length) => {
      if (length > head.length && !whole(head)) head = await source.readHead(length);
      return head.subarray(0, length);
    },
    readTail: async (length) => {
      const known = whole(head) && head.length > tail.length ? head : tail;
      if (length <= known.length || whole(known)) return known.subarray(Math.max(0, known.length - length));
      tail = await source.readTail(length);
      return tail;
    },
    localPath: () => source.localPath(),
  };
}
