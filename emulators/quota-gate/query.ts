// jobs.query (the Node client's fast path for bq.query) through the gate, and the job reads the emulator gets wrong.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chargeStatements } from './bytes.js';
import { billDml, chargeOptions } from './context.js';
import type { GateContext } from './context.js';
import { jobErrorAsHttp } from './errors.js';
import { parseJson, readBody, sendError, sendJson } from './http.js';
import { queryCharge } from './insert.js';
import { planQuery } from './plan.js';
import type { QueryRequest } from './plan.js';
import type { Route } from './routes.js';

/**
 * The job jobs.query creates is not returned when it fails: a quota the job would carry comes back as the call's
 * HTTP error instead (jobErrorAsHttp). The answer is streamed back; the bill names the job by the request's requestId.
 */
export async function handleJobsQuery(ctx: GateContext, request: IncomingMessage, response: ServerResponse, route: Route): Promise<void> {
  const body = await readBody(request);
  const query = parseJson<QueryRequest & { requestId?: string }>(body);
  const project = route.project ?? '';
  const plan = query && planQuery(project, query);
  if (!plan || plan.dryRun) {
    await ctx.upstream.forward(request, response, body);
    return;
  }
  const jobId = query.requestId ?? 'jobs.query';
  const admission = ctx.quotas().admit(plan.quota);
  const refusal = admission.refusal;
  if (refusal) {
    const error = 'http' in refusal ? refusal.http : jobErrorAsHttp(refusal.job);
    ctx.ledger.quotaError(refusal.limit, 'http' in refusal ? refusal.http.body.error.errors[0]!.reason : refusal.job.reason);
    if ('job' in refusal) {
      ctx.ledger.job('query', true);
      ctx.ledger.query({ ...queryCharge(jobId, plan, [], true), childJobs: 0 });
    }
    sendError(response, error);
    return;
  }
  try {
    billDml(ctx, plan, admission.dmlInWindow);
    await ctx.beforeForward?.({ method: 'jobs.query', project, kind: 'query', ...(query.query ? { sql: query.query } : {}) });
    const charges = await chargeStatements(ctx.upstream, plan.statements, chargeOptions(ctx, plan));
    const status = await ctx.upstream.forward(request, response, body);
    const failed = status >= 400;
    ctx.ledger.job('query', failed);
    ctx.ledger.query(queryCharge(jobId, plan, charges, failed));
  } finally {
    admission.release();
  }
}

/** jobs.get: a job the gate answered itself comes from its memory; a failure the emulator forgot is added back. */
export async function handleJobsGet(ctx: GateContext, request: IncomingMessage, response: ServerResponse, route: Route): Promise<void> {
  const record = ctx.jobs.get(route.project ?? '', route.jobId ?? '');
  if (record?.resource) return sendJson(response, 200, record.resource);
  if (!record?.failure) {
    await ctx.upstream.forward(request, response);
    return;
  }
  const answer = await ctx.upstream.exchange(request, Buffer.alloc(0));
  const job = answer.status === 200 ? parseJson<Record<string, unknown>>(answer.body) : undefined;
  if (!job) {
    response.writeHead(answer.status, answer.headers).end(answer.body);
    return;
  }
  sendJson(response, 200, { ...job, status: { ...(job.status as object), ...record.failure } });
}

/** getQueryResults of a query job the gate failed: the emulator never saw it, BigQuery answers the job's error. */
export async function handleQueryResults(ctx: GateContext, request: IncomingMessage, response: ServerResponse, route: Route): Promise<void> {
  const record = ctx.jobs.get(route.project ?? '', route.jobId ?? '');
  if (record?.queryError) return sendError(response, record.queryError);
  await ctx.upstream.forward(request, response);
}

/** jobs.cancel of a job the gate answered: it is DONE already, and cancelling a done job returns it. */
export async function handleJobsCancel(ctx: GateContext, request: IncomingMessage, response: ServerResponse, route: Route): Promise<void> {
  const record = ctx.jobs.get(route.project ?? '', route.jobId ?? '');
  if (record?.resource) return sendJson(response, 200, { kind: 'bigquery#jobCancelResponse', job: record.resource });
  await ctx.upstream.forward(request, response);
}
