// landfall's Cloud Functions: the process loads only the one it runs (FUNCTION_TARGET, which Cloud Functions sets and
// functions-framework reads), each from its own module and composition root; every one of them when none is named.
import { useCompileCache } from './compile-cache.js';

useCompileCache();
const FUNCTIONS: Record<string, () => Promise<unknown>> = {
  matcher: () => import('./matcher.js'),
  loader: () => import('./loader.js'),
  dbtTrigger: () => import('./dbt-trigger.js'),
  sweep: () => import('./sweep.js'),
};

const target = process.env.FUNCTION_TARGET;
if (target !== undefined && !(target in FUNCTIONS)) throw new Error(`FUNCTION_TARGET=${target} is not one of ${Object.keys(FUNCTIONS).join(', ')}`);
for (const [name, load] of Object.entries(FUNCTIONS)) if (target === undefined || target === name) await load();
