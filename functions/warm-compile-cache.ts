// Build step (`gcp-build`): loads every function the way a cold start does, and the modules the composition roots
// load later or only for some settings, then writes the compile cache (functions/compile-cache.ts) that the
// deployed functions read.
import { flushCompileCache, useCompileCache } from './compile-cache.js';

/** What the roots import on first use (Cloud Storage, Pub/Sub, the Cloud Run dbt runner) or for one backend only. */
const LOADED_LATER = ['@google-cloud/storage', '@google-cloud/pubsub', '@google-cloud/run', '../lib/adapters/gcs/index.js', '../lib/adapters/pubsub/index.js', '../lib/adapters/duckdb/index.js', '../lib/adapters/bigquery/index.js'];

useCompileCache();
delete process.env.FUNCTION_TARGET; // index.js then loads every function
for (const module of ['./index.js', ...LOADED_LATER]) {
  try {
    await import(module);
  } catch (error) {
    // A root that needs settings the build does not have: the modules loaded so far are compiled by now.
    process.stderr.write(`compile cache: ${module}: ${(error as Error).message}\n`);
  }
}
flushCompileCache();
process.exit(0);
