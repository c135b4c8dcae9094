// How the pipeline benchmark uploads: one file every so often (latency), or as many at once as allowed (burst).
import { setTimeout as sleep } from 'node:timers/promises';

/** Starts one upload every `intervalMs` (they may overlap), like files arriving one by one. */
export async function paced(keys: string[], intervalMs: number, upload: (key: string) => Promise<void>): Promise<void> {
  const start = Date.now();
  const running: Promise<void>[] = [];
  for (const [i, key] of keys.entries()) {
    const wait = start + i * intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    running.push(upload(key));
  }
  await Promise.all(running);
}

/** Uploads everything as fast as `concurrency` uploads in flight allow. */
export async function pooled(keys: string[], concurrency: number, upload: (key: string) => Promise<void>): Promise<void> {
  const queue = [...keys];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) await upload(key);
  }));
}
