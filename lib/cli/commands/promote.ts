// `landfall promote [--type T] [--duckdb PATH] [--json] TABLE FIELD`: a drifted field out of `_extra`, into a column of its own.
import { parseArgs } from 'node:util';
import { parseSettings } from '../../config/index.js';
import type { Env, Settings } from '../../config/index.js';
import { ACCEPTED_TYPES, promotionOf } from '../../promote/index.js';
import type { PromoteRequest, PromoteResult } from '../../promote/index.js';
import type { Command } from '../main.js';

const USAGE = [
  'usage: landfall promote [--type T] [--duckdb PATH] [--json] TABLE FIELD',
  '  moves FIELD out of the _extra JSON of TABLE into a new column FIELD of type T (default: the warehouse\'s string type),',
  '  in one transaction; later loads fill the column. LOADER_BACKEND picks the warehouse (DUCKDB_PATH, or GCP_PROJECT and BQ_DATASET).',
  `  T: ${ACCEPTED_TYPES}`,
].join('\n');

export interface PromoteCliOptions {
  settings: Settings;
  /** The DuckDB file (`--duckdb`, else DUCKDB_PATH); unused on BigQuery. */
  duckdbPath: string;
  table: string;
  field: string;
  type: string | undefined;
  json: boolean;
}

/** Flags over env (LOADER_BACKEND, DUCKDB_PATH, GCP_PROJECT, BQ_DATASET) over defaults, as `landfall load` reads them. Pure. */
export function parsePromoteArgs(argv: string[], env: Env): PromoteCliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { type: { type: 'string' }, duckdb: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 2) throw new Error(`expected TABLE and FIELD, got ${positionals.length} argument(s)`);
  const settings = parseSettings(env);
  const [table, field] = positionals as [string, string];
  return { settings, duckdbPath: values.duckdb ?? settings.duckdbPath, table, field, type: values.type, json: values.json };
}

/** The warehouse the settings pick, loaded only when used: BigQuery's clients or DuckDB's native module. */
async function promoteIn(options: PromoteCliOptions, env: Env, request: PromoteRequest): Promise<PromoteResult> {
  const { settings } = options;
  if (settings.backend === 'bigquery') {
    const { bigqueryPromoteFromSettings } = await import('../../adapters/bigquery/index.js');
    return bigqueryPromoteFromSettings(settings, env)(request);
  }
  const { openDuckDbWarehouse } = await import('../../adapters/duckdb/index.js');
  const warehouse = await openDuckDbWarehouse(options.duckdbPath, {
    memoryLimit: settings.duckdbMemoryLimit,
    lockWaitMs: settings.duckdbLockWaitMs,
    ...(settings.duckdbTempDirectory && { tempDirectory: settings.duckdbTempDirectory }),
  });
  try {
    return await warehouse.promote(request);
  } finally {
    await warehouse.close();
  }
}

function summary(result: PromoteResult): string {
  const keys = result.keys.map((k) => JSON.stringify(k)).join(', ');
  return `${result.table}.${result.column}: new ${result.type} column, ${result.rows} row(s) moved into it from _extra (key ${keys})`;
}

export const command: Command = {
  usage: USAGE,
  async run(argv, env) {
    let options: PromoteCliOptions;
    try {
      options = parsePromoteArgs(argv, env);
    } catch (error) {
      console.error(`landfall promote: ${(error as Error).message}\n${USAGE}`);
      return 1;
    }
    const request = promotionOf(options.table, options.field, options.type);
    const result = await promoteIn(options, env, request);
    console.log(options.json ? JSON.stringify(result) : summary(result));
    return 0;
  },
};
