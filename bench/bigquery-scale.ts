// A burst through the whole pipeline on BigQuery (the emulator behind the quota gate), and the same burst on DuckDB:
// jobs and bytes per file, DML per table per 10 s, the lookup at two history sizes, first upload → last commit, quota
// errors retried, the files a day each quota allows, and the busiest Firestore document's writes with the dbt trigger on.
// npm run bench:bigquery-scale -- [--files 2000] [--rows 1000] [--tables 20] [--runs 1] [--duckdb] [--concurrency 16]
//   [--probe-files 10] [--history-multiplier 10] [--cluster-block-bytes N] [--max-files N] [--loader-concurrency N]
//   [--query-seconds 1] [--timeout-s N] [--keep]
//   (--max-files bounds a commit, --loader-concurrency the requests each loader instance holds; the topology's otherwise.
//   The emulator commits about 3 files a second: a file the one local loader holds past its 540 s timeout is handed
//   back and retaken, with a lookup.)
//   (writes bench/out/bigquery-scale.json; a smoke run: --files 60 --rows 10 --tables 4)
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BIGQUERY_LIMITS } from '../emulators/quota-gate/index.js';
import { markdown, medianCeilings, medians } from './scale-report.js';
import { runOnce, type Backend, type RunOptions, type RunResult } from './scale-run.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');

export class OptionsError extends Error {}

export interface ScaleOptions extends RunOptions {
  runs: number;
  backends: Backend[];
  querySeconds: number;
}

/** The options from argv; every bad one is reported at once. */
export function parseOptions(argv: string[]): ScaleOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      files: { type: 'string', default: '2000' },
      rows: { type: 'string', default: '1000' },
      tables: { type: 'string', default: '20' },
      runs: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '16' },
      'probe-files': { type: 'string', default: '10' },
      'history-multiplier': { type: 'string', default: '10' },
      'query-seconds': { type: 'string', default: '1' },
      'cluster-block-bytes': { type: 'string' },
      'max-files': { type: 'string' },
      'loader-concurrency': { type: 'string' },
      'timeout-s': { type: 'string' },
      duckdb: { type: 'boolean', default: false },
      'duckdb-only': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const problems: string[] = [];
  const whole = (name: keyof typeof values, min = 1): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) problems.push(`--${name} must be a whole number ≥ ${min}, not "${values[name]}"`);
    return n;
  };
  const files = whole('files');
  const seconds = Number(values['query-seconds']);
  if (!(seconds > 0)) problems.push(`--query-seconds must be a positive number, not "${values['query-seconds']}"`);
  const options: ScaleOptions = {
    files,
    rows: whole('rows'),
    tables: whole('tables'),
    runs: whole('runs'),
    concurrency: whole('concurrency'),
    probeFiles: whole('probe-files'),
    historyMultiplier: whole('history-multiplier', 2),
    ...(values['cluster-block-bytes'] === undefined ? {} : { clusterBlockBytes: whole('cluster-block-bytes') }),
    ...(values['max-files'] === undefined ? {} : { maxFiles: whole('max-files') }),
    ...(values['loader-concurrency'] === undefined ? {} : { loaderConcurrency: whole('loader-concurrency') }),
    querySeconds: seconds,
    // The emulator is slow on a shared machine: a generous default, scaled with the burst.
    timeoutMs: values['timeout-s'] === undefined ? Math.max(600, files * 2) * 1000 : whole('timeout-s') * 1000,
    backends: values['duckdb-only'] ? ['duckdb'] : values.duckdb ? ['bigquery', 'duckdb'] : ['bigquery'],
    keep: values.keep!,
  };
  if (options.tables > 100) problems.push('--tables must be ≤ 100 (table names are two digits)');
  if (problems.length > 0) throw new OptionsError(problems.join('\n'));
  return options;
}

async function main(): Promise<void> {
  let options: ScaleOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if (options.keep) process.env.LANDFALL_E2E_KEEP = '1';
  const loadAtStart = loadavg();
  const results: RunResult[] = [];
  // Alternate the backends run by run, so a change in the machine's load falls on both.
  for (let run = 1; run <= options.runs; run++) {
    for (const backend of options.backends) {
      process.stderr.write(`bench: ${backend} run ${run} of ${options.runs} (${options.files} files × ${options.rows} rows over ${options.tables} tables)…\n`);
      const result = await runOnce(backend, run, options);
      process.stderr.write(`bench: ${backend} run ${run}: ${result.loaded} loaded, ${result.failed} failed, ${Math.round(result.firstUploadToLastCommitMs)} ms\n`);
      results.push(result);
    }
  }
  const byBackend = medians(results);
  const limits = medianCeilings(results, options.querySeconds);
  console.log(`${options.files} files × ${options.rows} rows over ${options.tables} tables, one batch key; medians of ${options.runs} run(s)\n`);
  console.log(markdown(byBackend, limits));
  console.log(
    [
      '',
      'jobs, DML and bytes: the quota gate\'s bill of the burst (after a warm-up, and 10 s after it, so the DML peaks are the burst\'s).',
      `lookup: ${options.probeFiles} burst files uploaded again (corrections: a new file needs no lookup) after the burst, then ${options.probeFiles} others after load_metadata was grown ${options.historyMultiplier}× in the emulator directly; the lookups are the bill's single SELECTs on load_metadata; the gate prunes clustered tables in blocks of ${options.clusterBlockBytes ?? 'its default (64 MiB)'} bytes.`,
      'Firestore: the dbt trigger\'s handler and store (not dbt) on the stack\'s Firestore emulator, fed live from the load-events topic with the topology\'s maxInstances × concurrency handlers; server write times per document.',
      `BigQuery's limits: ${JSON.stringify({ loadJobsPerProjectPerDay: BIGQUERY_LIMITS.loadJobsPerProjectPerDay, dmlStatementsPerTablePer10s: BIGQUERY_LIMITS.dmlStatementsPerTablePer10s, interactiveQueriesQueuedPerProject: BIGQUERY_LIMITS.interactiveQueriesQueuedPerProject })}.`,
    ].join('\n'),
  );
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtStart: loadAtStart, loadavgAtEnd: loadavg() };
  await mkdir(OUT, { recursive: true });
  const out = join(OUT, 'bigquery-scale.json');
  await writeFile(out, `${JSON.stringify({ at: new Date().toISOString(), machine, options, medians: byBackend, ceilings: limits, results }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
