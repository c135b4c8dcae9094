// jobs.insert through the gate: duplicate ids refused, quotas enforced, split loads and column changes run, failures kept for jobs.get.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyColumnChange, columnChangeOf } from './alter-column.js';
import type { ColumnChange } from './alter-column.js';
import type { QueryCharge, StatementCharge } from './bill.js';
import { chargeStatements } from './bytes.js';
import { billDml, chargeOptions } from './context.js';
import type { GateContext } from './context.js';
import { duplicateJobError, jobErrorAsHttp } from './errors.js';
import { parseJson, readBody, sendError, sendJson } from './http.js';
import { failedStatus, jobResource } from './jobs.js';
import type { JobRecord, JobStatus } from './jobs.js';
import { planJob, tableKey } from './plan.js';
import type { JobPlan, PlannedStatement } from './plan.js';
import type { Route } from './routes.js';
import { needsSplit, objectFailure, runSplitLoad } from './split-load.js';
import type { LoadConfiguration } from './split-load.js';
import type { Exchange } from './upstream.js';

interface JobRequest {
  jobReference?: { projectId?: string; jobId?: string; location?: string };
  configuration?: Record<string, unknown> & { load?: LoadConfiguration; query?: { query?: string } };
}

/** One jobs.insert under way. */
interface Call {
  request: IncomingMessage;
  response: ServerResponse;
  body: Buffer;
  project: string;
  jobId: string;
  location: string;
  configuration: NonNullable<JobRequest['configuration']>;
  plan: JobPlan;
  startedMs: number;
}

const JOB_TYPES = { load: 'LOAD', query: 'QUERY', copy: 'COPY', extract: 'EXTRACT' } as const;

const referenced = (s: PlannedStatement | undefined): string[] => (s ? [...new Set([...s.reads, ...(s.target ? [s.target] : [])].map(tableKey))] : []);

export function queryCharge(jobId: string, plan: JobPlan, charges: StatementCharge[], failed: boolean): QueryCharge {
  // A failed job bills nothing (the gate cannot tell which statement of a failed script failed: none is billed).
  const named = charges.map((c, i) => ({ ...c, tables: referenced(plan.statements[i]) }));
  const statements = failed ? named.map((c) => ({ ...c, bytesProcessed: 0, bytesBilled: 0 })) : named;
  const sum = (key: 'bytesProcessed' | 'bytesBilled') => statements.reduce((total, s) => total + s[key], 0);
  return { jobId, failed, childJobs: plan.childJobs, bytesProcessed: sum('bytesProcessed'), bytesBilled: sum('bytesBilled'), statements };
}

/** A job the gate creates failed, as BigQuery does for a quota it reports in the job: DONE with the error. */
function answerWithJob(ctx: GateContext, call: Call, status: JobStatus, statistics?: Record<string, unknown>): JobRecord {
  const { project, jobId, location, configuration, plan, startedMs } = call;
  const resource = jobResource({ gateUrl: ctx.gateUrl(), project, jobId, location, configuration, jobType: JOB_TYPES[plan.kind], startedMs, status, ...(statistics ? { statistics } : {}) });
  sendJson(call.response, 200, resource);
  const error = status.errorResult;
  ctx.ledger.job(plan.kind, error !== undefined);
  if (plan.kind === 'query') ctx.ledger.query({ ...queryCharge(jobId, plan, [], error !== undefined), childJobs: 0 });
  return { location, resource, ...(error ? { queryError: jobErrorAsHttp(error) } : {}) };
}

/** ALTER TABLE … ADD/DROP COLUMN, which the emulator accepts and ignores, made real (alter-column.ts); DDL bills nothing. */
async function alterColumn(ctx: GateContext, call: Call, change: ColumnChange): Promise<JobRecord> {
  const error = await applyColumnChange(ctx.upstream, change);
  return answerWithJob(ctx, call, error ? failedStatus(error) : { state: 'DONE' }, { query: { statementType: 'ALTER_TABLE' } });
}

async function splitLoad(ctx: GateContext, call: Call): Promise<JobRecord> {
  const outcome = await runSplitLoad(ctx.upstream, call.project, call.configuration.load ?? {});
  const statistics = { load: { inputFiles: String(outcome.inputFiles), outputRows: String(outcome.outputRows) } };
  return answerWithJob(ctx, call, outcome.error ? failedStatus(outcome.error) : { state: 'DONE' }, statistics);
}

/** What the emulator answered, made what BigQuery would have answered, and what the gate must remember of it. */
function settle(ctx: GateContext, call: Call, answer: Exchange, charges: StatementCharge[]): JobRecord | undefined {
  type Answer = { status?: JobStatus; error?: { message?: string } };
  const json = parseJson<Answer>(answer.body);
  const message = json?.error?.message ?? '';
  if (answer.status === 400 && /is already created/.test(message)) {
    // The emulator knows the id from before this gate started: BigQuery's 409 (a load was re-imported regardless).
    ctx.ledger.duplicate();
    sendError(call.response, duplicateJobError(call.project, call.location, call.jobId));
    return { location: call.location };
  }
  if (answer.status === 400 && call.plan.kind === 'load') {
    // The emulator refuses a bad object on the call and records no job; BigQuery creates the job and fails it. (A
    // missing dataset is a 404 on the call on both, and passes as it is.)
    const uri = (call.configuration.load?.sourceUris ?? [])[0] ?? '';
    return answerWithJob(ctx, call, failedStatus(objectFailure(uri, message)));
  }
  call.response.writeHead(answer.status, answer.headers).end(answer.body);
  if (answer.status >= 300) return undefined;
  const failure = json?.status?.errorResult ? { state: 'DONE' as const, errorResult: json.status.errorResult, errors: json.status.errors ?? [json.status.errorResult] } : undefined;
  ctx.ledger.job(call.plan.kind, failure !== undefined);
  if (call.plan.kind === 'query') ctx.ledger.query(queryCharge(call.jobId, call.plan, charges, failure !== undefined));
  return { location: call.location, ...(failure ? { failure } : {}) };
}

async function run(ctx: GateContext, call: Call): Promise<JobRecord | undefined> {
  const admission = ctx.quotas().admit(call.plan.quota);
  const refusal = admission.refusal;
  if (refusal && 'http' in refusal) {
    ctx.ledger.quotaError(refusal.limit, refusal.http.body.error.errors[0]!.reason);
    sendError(call.response, refusal.http);
    return undefined;
  }
  if (refusal) {
    ctx.ledger.quotaError(refusal.limit, refusal.job.reason);
    return answerWithJob(ctx, call, failedStatus(refusal.job));
  }
  try {
    billDml(ctx, call.plan, admission.dmlInWindow);
    const sql = call.configuration.query?.query;
    await ctx.beforeForward?.({ method: 'jobs.insert', project: call.project, kind: call.plan.kind, jobId: call.jobId, ...(sql ? { sql } : {}) });
    if (call.plan.kind === 'load' && needsSplit(call.configuration.load ?? {})) return await splitLoad(ctx, call);
    const change = sql === undefined ? undefined : columnChangeOf(call.plan, sql);
    if (change) return await alterColumn(ctx, call, change);
    const charges = call.plan.kind === 'query' ? await chargeStatements(ctx.upstream, call.plan.statements, chargeOptions(ctx, call.plan)) : [];
    return settle(ctx, call, await ctx.upstream.exchange(call.request, call.body), charges);
  } finally {
    admission.release();
  }
}

export async function handleJobsInsert(ctx: GateContext, request: IncomingMessage, response: ServerResponse, route: Route): Promise<void> {
  const body = await readBody(request);
  const job = parseJson<JobRequest>(body);
  const project = job?.jobReference?.projectId ?? route.project ?? '';
  const jobId = job?.jobReference?.jobId;
  const plan = job && planJob(project, job.configuration ?? {});
  // Without an id, or a kind the gate does not know, or a dry run (free, no job): the emulator answers as it does.
  if (!jobId || !plan || plan.dryRun) {
    await ctx.upstream.forward(request, response, body);
    return;
  }
  const location = job.jobReference?.location ?? route.location ?? ctx.defaultLocation;
  if (!ctx.jobs.claim(project, jobId)) {
    ctx.ledger.duplicate();
    sendError(response, duplicateJobError(project, location, jobId));
    return;
  }
  let record: JobRecord | undefined;
  try {
    const call = { request, response, body, project, jobId, location, configuration: job.configuration ?? {}, plan, startedMs: Date.now() };
    record = await run(ctx, call);
  } finally {
    ctx.jobs.settle(project, jobId, record);
  }
}
