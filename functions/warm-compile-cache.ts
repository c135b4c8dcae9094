// Build step (`gcp-build`): loads every function the way a cold start does, and the modules the composition roots
// load later or only for some settings, then writes the compile cache (functions/compile-cache.ts) that the
// deployed functions read.
import { flushCompileCache, useCompileCache } from './compile-cache.js';

/** What the roots import on first use (Cloud Storage, the Cloud Run dbt runner) or for one backend only. */
const LOADED_LATER = ['@google-cloud/storage', '@google-cloud/run', '../lib/adapters/gcs/index.js', '../lib/adapters/duckdb/index.js', '../lib/adapters/bigquery/index.js'];

useCompileCache();
for (const module of [...['matcher', 'loader', 'dbt-trigger', 'sweep'].map((target) => `./${target}.js`), ...LOADED_LATER]) {
  try {
    await import(module);
  } catch (error) {
    // A root that needs settings the build does not have: the modules it imported are compiled by now.
    process.stderr.write(`compile cache: ${module}: ${(error as Error).message}\n`);
  }
}
flushCompileCache();
process.exit(0);
