// The e2e harness's look into the BigQuery mode: SQL straight to the emulator, and the quota gate's bill.
import { BigQuery } from '@google-cloud/bigquery';
import { staticTokenAuth } from '../../lib/adapters/bigquery/index.js';
import type { Bill } from '../../emulators/quota-gate/index.js';
import { HOST } from '../../emulators/ports.js';
import type { Stack } from '../../emulators/stack.js';

/** A value as text: the client wraps timestamps, dates and numerics in `{ value }`. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'value' in value ? String((value as { value: unknown }).value) : value;
}

/**
 * Runs BigQuery SQL on the stack's emulator, behind the gate: a test's looking costs the loader no quota and is not
 * on the bill. Unqualified names resolve in the topology's dataset.
 */
export function bigqueryQuery(stack: Stack): (sql: string) => Promise<Record<string, unknown>[]> {
  const bq = new BigQuery({ projectId: stack.project, apiEndpoint: `http://${HOST}:${stack.ports.bigquery}`, authClient: staticTokenAuth() });
  const defaultDataset = { projectId: stack.project, datasetId: stack.topology.warehouse.dataset };
  return async (sql) => {
    const [rows] = await bq.query({ query: sql, defaultDataset });
    return (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  };
}

/** What went through the quota gate since the stack started: jobs, DML per table, quota errors. */
export async function gateBill(stack: Stack): Promise<Bill> {
  if (stack.backend !== 'bigquery') throw new Error('the stack runs no quota gate: start it with { bigquery: {} }');
  const response = await fetch(`http://${HOST}:${stack.ports.quotaGate}/bill`);
  if (!response.ok) throw new Error(`the quota gate's bill: HTTP ${response.status}`);
  return (await response.json()) as Bill;
}
