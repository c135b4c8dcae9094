// Options of the main command (`npm start`), parsed from argv and env by a pure function so tests pass their own.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface StartOptions {
  /** Upload the samples, wait for their fates, print them and exit (0 when every sample loaded), instead of watching. */
  once: boolean;
  /** Free ports instead of firebase.json's (tests, or a second stack beside a running one). */
  freePorts: boolean;
  /** The loader on the BigQuery emulator, behind the quota gate, instead of DuckDB. */
  bigquery: boolean;
  /** Folder of sample files uploaded at start; undefined with --no-samples. */
  samplesDir: string | undefined;
  /** Folder watched for dropped files (created when missing). */
  landingDir: string;
  /** Where the stack keeps storage data and logs; undefined: the stack's default (.landfall/). */
  workDir: string | undefined;
  /** The DuckDB warehouse file the loader writes. */
  duckdbPath: string;
  /** How long --once waits for the samples' fates (and their dbt run) before giving up. */
  timeoutMs: number;
  /** How long a dropped file must keep its size before it is uploaded. */
  stableMs: number;
  help: boolean;
}

export class OptionsError extends Error {}

export const USAGE = `usage: npm start [-- OPTIONS]   (or: node --import tsx emulators/start.ts [OPTIONS])

Brings the local stack up, uploads the sample files, prints each file's fate as it happens, then uploads
whatever is dropped into the landing folder until Ctrl-C.

  --once               upload the samples, wait for their fates, exit 0 if all loaded, else 1 (also LANDFALL_ONCE=1)
  --bigquery           load into the BigQuery emulator, behind the quota gate (BigQuery's own limits), instead of
                       DuckDB; no dbt runs there (also LOADER_BACKEND=bigquery; QUOTA_GATE_SCALE=N divides the limits)
  --free-ports         run on free ports instead of firebase.json's
  --samples DIR        sample files to upload at start (default test/fixtures/samples)
  --no-samples         upload nothing at start
  --landing DIR        folder to watch (default ./landing; created when missing)
  --work-dir DIR       storage data and logs of the stack (default .landfall/; also LANDFALL_WORK_DIR)
  --timeout SECONDS    --once gives up after this long (default 180)
  --stable-ms MS       a dropped file is uploaded once its size held this long (default 500)
  -h, --help           this text

Env: DUCKDB_PATH (default dev.duckdb), TABLE_CONFIG_PATH (default config/tables).`;

const DEFAULT_TIMEOUT_SECONDS = 180;
const DEFAULT_STABLE_MS = 500;

function positiveNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new OptionsError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

export function parseStartOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): StartOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        once: { type: 'boolean', default: false },
        'free-ports': { type: 'boolean', default: false },
        bigquery: { type: 'boolean', default: false },
        samples: { type: 'string' },
        'no-samples': { type: 'boolean', default: false },
        landing: { type: 'string' },
        'work-dir': { type: 'string' },
        timeout: { type: 'string' },
        'stable-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  if (values['no-samples'] && values.samples !== undefined) throw new OptionsError('--samples and --no-samples contradict each other');
  return {
    once: values.once || env.LANDFALL_ONCE === '1' || env.LANDFALL_ONCE === 'true',
    freePorts: values['free-ports'],
    bigquery: values.bigquery || env.LOADER_BACKEND === 'bigquery',
    samplesDir: values['no-samples'] ? undefined : resolve(cwd, values.samples ?? 'test/fixtures/samples'),
    landingDir: resolve(cwd, values.landing ?? 'landing'),
    workDir: values['work-dir'] || env.LANDFALL_WORK_DIR ? resolve(cwd, values['work-dir'] || env.LANDFALL_WORK_DIR!) : undefined,
    duckdbPath: resolve(cwd, env.DUCKDB_PATH || 'dev.duckdb'),
    timeoutMs: positiveNumber(values.timeout, '--timeout', DEFAULT_TIMEOUT_SECONDS) * 1000,
    stableMs: positiveNumber(values['stable-ms'], '--stable-ms', DEFAULT_STABLE_MS),
    help: values.help,
  };
}
