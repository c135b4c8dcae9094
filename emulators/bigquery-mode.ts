// The main command's BigQuery mode (`npm start -- --bigquery`): the emulator built if missing, and what to tell the person.
import { spawnSync } from 'node:child_process';
import { DBT_ON_BIGQUERY_EMULATOR } from '../lib/wiring/index.js';
import type { FateBoard } from './fate-board.js';
import { StackError } from './health.js';
import { REPO_ROOT } from './parts.js';
import { HOST } from './ports.js';
import type { Stack } from './stack.js';

/**
 * `emulators/install.sh bigquery`: prints nothing when the emulator is built already; a cold build takes minutes.
 * `npm start` installs the DuckDB mode's steps before this process starts; only this mode needs the emulator.
 */
export function installBigQueryEmulator(): void {
  const result = spawnSync('bash', ['emulators/install.sh', 'bigquery'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new StackError('bigquery', `could not be installed by emulators/install.sh bigquery (exit ${result.status ?? result.signal})`);
}

/** The one line that says why no dbt trigger runs in this mode, shaped like the fate lines. */
export function dbtSkippedLine(board: Pick<FateBoard, 'line'>): string {
  return board.line('dbt', `not run: ${DBT_ON_BIGQUERY_EMULATOR}`);
}

/** How to see the rows (straight from the emulator, so looking costs no quota) and the gate's bill. */
export function bigqueryLookLines(stack: Stack, table: string): string[] {
  const { dataset } = stack.topology.warehouse;
  const query = JSON.stringify({ query: `select * from ${dataset}.${table} limit 5`, useLegacySql: false });
  const queries = `http://${HOST}:${stack.ports.bigquery}/bigquery/v2/projects/${stack.project}/queries`;
  return [
    `the rows:            curl -s ${queries} -H 'content-type: application/json' -d '${query}'`,
    `the quota gate:      curl -s http://${HOST}:${stack.ports.quotaGate}/bill   (jobs by kind, DML per table per 10 s, bytes billed, quota errors)`,
  ];
}
