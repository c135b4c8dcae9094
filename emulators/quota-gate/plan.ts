// A job request read for what quotas and the bill need: its kind, the table it writes, each statement's tables.
import type { JobKind } from './bill.js';
import type { JobQuotaPlan } from './quotas.js';
import { analyzeScript, isDml } from './sql-statements.js';
import type { Statement, TableName } from './sql-statements.js';

export interface TableId {
  project: string;
  dataset: string;
  table: string;
}

/** BigQuery's own notation, as in its messages: `project:dataset.table`. */
export const tableKey = (t: TableId): string => `${t.project}:${t.dataset}.${t.table}`;

/** The REST paths of a dataset's tables and of one table, and a table's reference as the API writes it. */
export const tablesPath = (t: TableId): string => `/projects/${encodeURIComponent(t.project)}/datasets/${encodeURIComponent(t.dataset)}/tables`;
export const tablePath = (t: TableId): string => `${tablesPath(t)}/${encodeURIComponent(t.table)}`;
export const tableReference = (t: TableId) => ({ projectId: t.project, datasetId: t.dataset, tableId: t.table });

export interface PlannedStatement {
  statement: Statement;
  target?: TableId;
  reads: TableId[];
}

export interface JobPlan {
  kind: JobKind;
  /** A dry run creates no job that counts and is free. */
  dryRun: boolean;
  quota: JobQuotaPlan;
  statements: PlannedStatement[];
  /** One per statement of a script; a single statement runs as the job itself. */
  childJobs: number;
  /** Named scalar parameters by lower-cased name (GoogleSQL names are case-insensitive). */
  parameters: Map<string, ScalarParameter>;
}

export interface ScalarParameter {
  type: string;
  value: string | null;
}

interface QueryParameter {
  name?: string;
  parameterType?: { type?: string };
  parameterValue?: { value?: string | null };
}

function scalarParameters(list: readonly QueryParameter[] | undefined): Map<string, ScalarParameter> {
  const scalars = new Map<string, ScalarParameter>();
  for (const p of list ?? []) {
    const type = p.parameterType?.type;
    if (p.name && type && type !== 'ARRAY' && type !== 'STRUCT') scalars.set(p.name.toLowerCase(), { type, value: p.parameterValue?.value ?? null });
  }
  return scalars;
}

interface TableReference {
  projectId?: string;
  datasetId?: string;
  tableId?: string;
}

export interface QueryRequest {
  query?: string;
  defaultDataset?: { projectId?: string; datasetId?: string };
  destinationTable?: TableReference;
  priority?: string;
  dryRun?: boolean;
  queryParameters?: QueryParameter[];
}

export function tableOf(reference: TableReference | undefined, project: string): TableId | undefined {
  if (!reference?.datasetId || !reference.tableId) return undefined;
  return { project: reference.projectId ?? project, dataset: reference.datasetId, table: reference.tableId };
}

/** A name as written, in full; one part only with a default dataset, and never a WITH name (not a table). */
function resolve(name: TableName, statement: Statement, project: string, defaults?: QueryRequest['defaultDataset']): TableId | undefined {
  const [a, b, c] = name.parts;
  if (name.parts.length >= 3) return { project: a!, dataset: b!, table: c! };
  if (name.parts.length === 2) return { project, dataset: a!, table: b! };
  if (!defaults?.datasetId || statement.cteNames.has(a!.toLowerCase())) return undefined;
  return { project: defaults.projectId ?? project, dataset: defaults.datasetId, table: a! };
}

export function planQuery(project: string, request: QueryRequest): JobPlan {
  const statements = analyzeScript(request.query ?? '').map((statement): PlannedStatement => {
    const target = statement.target && resolve(statement.target, statement, project, request.defaultDataset);
    const reads = statement.reads.map((r) => resolve(r, statement, project, request.defaultDataset)).filter((t): t is TableId => t !== undefined);
    return { statement, ...(target ? { target } : {}), reads };
  });
  const dml = statements.flatMap(({ statement, target }) => (isDml(statement.kind) && target ? [{ table: tableKey(target), kind: statement.kind }] : []));
  const destination = tableOf(request.destinationTable, project);
  return {
    kind: 'query',
    dryRun: request.dryRun === true,
    quota: {
      project,
      kind: 'query',
      priority: request.priority === 'BATCH' ? 'BATCH' : 'INTERACTIVE',
      ...(destination ? { writes: tableKey(destination) } : {}),
      dml,
    },
    statements,
    childJobs: statements.length > 1 ? statements.length : 0,
    parameters: scalarParameters(request.queryParameters),
  };
}

interface JobConfiguration {
  dryRun?: boolean;
  query?: QueryRequest;
  load?: { destinationTable?: TableReference };
  copy?: { destinationTable?: TableReference };
  extract?: unknown;
}

/** The plan of a jobs.insert body's `configuration`; undefined for a kind the gate does not know. */
export function planJob(project: string, configuration: JobConfiguration): JobPlan | undefined {
  const dryRun = configuration.dryRun === true;
  if (configuration.query) {
    const plan = planQuery(project, configuration.query);
    return { ...plan, dryRun: dryRun || plan.dryRun };
  }
  const kind: JobKind | undefined = configuration.load ? 'load' : configuration.copy ? 'copy' : configuration.extract ? 'extract' : undefined;
  if (!kind) return undefined;
  const destination = tableOf((configuration.load ?? configuration.copy)?.destinationTable, project);
  return {
    kind,
    dryRun,
    quota: { project, kind, priority: 'INTERACTIVE', ...(destination ? { writes: tableKey(destination) } : {}), dml: [] },
    statements: [],
    childJobs: 0,
    parameters: new Map(),
  };
}
