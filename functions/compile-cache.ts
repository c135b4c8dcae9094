// V8's compiled code for the modules a function loads at cold start, made once at build time and shipped with the
// deployed source, so that a cold start reads compiled code instead of compiling the client libraries again.
import module from 'node:module';
import { join } from 'node:path';

/** Beside dist/ in the deployed source (`/workspace/.compile-cache` on Cloud Functions). */
const COMPILE_CACHE_DIR = join(import.meta.dirname, '..', '..', '.compile-cache');

type CompileCache = { enableCompileCache?: (options: { directory: string; portable: boolean }) => { status: number; message?: string }; flushCompileCache?: () => void };

/**
 * Turns the cache on for every module loaded from here on (Node ≥ 22.8; nothing on older Node). Portable: entries
 * are keyed by paths relative to the cache, so a cache built in one folder serves the same files in another.
 * A cache made by another Node version, or for changed files, is not used: those modules compile as usual.
 */
export function useCompileCache(): void {
  (module as CompileCache).enableCompileCache?.({ directory: COMPILE_CACHE_DIR, portable: true });
}

export function flushCompileCache(): void {
  (module as CompileCache).flushCompileCache?.();
}
