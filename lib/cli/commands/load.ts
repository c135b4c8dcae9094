// `landfall load [--tables DIR] [--duckdb PATH] [--landing DIR] [--archive DIR] [--failed DIR] [--force] [--json] FILE...`
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../errors.js';
import { loadTableMappings, parseSettings } from '../../config/index.js';
import type { Env, TableMapping } from '../../config/index.js';
import type { Command } from '../main.js';
import { runLoad } from './load-run.js';

const USAGE = 'usage: landfall load [--tables DIR] [--duckdb PATH] [--landing DIR] [--archive DIR] [--failed DIR] [--force] [--json] FILE...';

export interface LoadCliOptions {
  tablesDir: string;
  duckdbPath: string;
  /** Where files land: a file's identity is its path under it (else its absolute path), and archive/ keeps that layout. */
  landingRoot: string | undefined;
  archiveDir: string | undefined;
  failedDir: string | undefined;
  force: boolean;
  json: boolean;
  files: string[];
  memoryLimit: string;
  lockWaitMs: number;
  tempDirectory: string | undefined;
}

/** Flags over env (TABLE_CONFIG_PATH, DUCKDB_PATH, LANDING_PATH, ARCHIVE_PATH, FAILED_PATH) over defaults. Pure. */
export function parseLoadArgs(argv: string[], env: Env): LoadCliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tables: { type: 'string' },
      duckdb: { type: 'string' },
      landing: { type: 'string' },
      archive: { type: 'string' },
      failed: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const settings = parseSettings(env);
  const landing = values.landing ?? settings.landingPath;
  return {
    tablesDir: values.tables ?? settings.tableConfigPath,
    duckdbPath: values.duckdb ?? settings.duckdbPath,
    landingRoot: landing === undefined ? undefined : resolve(landing),
    archiveDir: values.archive ?? settings.archivePath,
    failedDir: values.failed ?? settings.failedPath,
    force: values.force,
    json: values.json,
    files: [...new Set(positionals.map((file) => resolve(file)))],
    memoryLimit: settings.duckdbMemoryLimit,
    lockWaitMs: settings.duckdbLockWaitMs,
    tempDirectory: settings.duckdbTempDirectory,
  };
}

export const command: Command = {
  usage: USAGE,
  async run(argv, env) {
    let options: LoadCliOptions;
    try {
      options = parseLoadArgs(argv, env);
    } catch (error) {
      console.error(`landfall load: ${(error as Error).message}\n${USAGE}`);
      return 1;
    }
    if (options.files.length === 0) {
      console.error(USAGE);
      return 1;
    }
    let mappings: TableMapping[];
    try {
      mappings = await loadTableMappings(options.tablesDir);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`landfall load: ${error.message}`);
      return 1;
    }
    return (await runLoad(options.files, mappings, options)) ? 1 : 0;
  },
};
