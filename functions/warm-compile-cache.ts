// Build step (`gcp-build`, run from the bundle, dist/bundle/): loads every function the way a cold start does, and the
// modules the composition roots load later or only for some settings, then writes the compile cache
// (functions/compile-cache.ts) that the deployed functions read. In the bundle these imports are its own chunks.
import { createRequire } from 'node:module';
import { flushCompileCache, useCompileCache } from './compile-cache.js';

/**
 * Every function, then what the roots import on first use (Cloud Storage, Pub/Sub, the Cloud Run dbt runner) or for
 * one backend only. Each import names its module literally, so that the bundle resolves it to its own chunk.
 */
const MODULES: Record<string, () => Promise<unknown>> = {
  functions: () => import('./index.js'),
  '@google-cloud/storage': () => import('@google-cloud/storage'),
  'adapters/gcs': () => import('../lib/adapters/gcs/index.js'),
  'adapters/pubsub': () => import('../lib/adapters/pubsub/index.js'),
  'adapters/dbt/cloud-run-jobs': () => import('../lib/adapters/dbt/cloud-run-jobs.js'),
  'adapters/duckdb': () => import('../lib/adapters/duckdb/index.js'),
  'adapters/bigquery': () => import('../lib/adapters/bigquery/index.js'),
};

/** functions-framework's body parser loads iconv-lite's encodings when it decodes the first request. */
function loadFirstRequestDecoder(): void {
  const fromFramework = createRequire(createRequire(import.meta.url).resolve('@google-cloud/functions-framework'));
  const fromBodyParser = createRequire(fromFramework.resolve('body-parser'));
  (fromBodyParser('iconv-lite') as { getCodec(encoding: string): unknown }).getCodec('utf-8');
}

useCompileCache();
delete process.env.FUNCTION_TARGET; // index.js then loads every function
for (const [name, load] of Object.entries(MODULES)) {
  try {
    await load();
  } catch (error) {
    // A root that needs settings the build does not have: the modules loaded so far are compiled by now.
    process.stderr.write(`compile cache: ${name}: ${(error as Error).message}\n`);
  }
}
loadFirstRequestDecoder();
flushCompileCache();
process.exit(0);
