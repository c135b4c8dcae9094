// The quota gate: an HTTP proxy in front of goccy/bigquery-emulator that answers as BigQuery would at its limits.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ledger } from './bill.js';
import type { Bill } from './bill.js';
import type { ForwardedCall, GateContext } from './context.js';
import { httpError } from './errors.js';
import { BodyTooLarge, sendError, sendJson, userOf } from './http.js';
import { handleJobsInsert } from './insert.js';
import { JobRegistry } from './jobs.js';
import { resolveLimits } from './limits.js';
import type { QuotaLimits } from './limits.js';
import { handleJobsCancel, handleJobsGet, handleJobsQuery, handleQueryResults } from './query.js';
import { Quotas } from './quotas.js';
import { routeOf } from './routes.js';
import type { Route } from './routes.js';
import { Upstream } from './upstream.js';

export interface QuotaGateOptions {
  /** The emulator: `http://127.0.0.1:PORT`. */
  upstream: string;
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** Divides every count limit (per window or per day); windows keep their length. */
  scale?: number;
  /** Limits set outright, after scaling. */
  limits?: Partial<QuotaLimits>;
  /** The project jobs belong to when a request names none (informational: every BigQuery path names its project). */
  project?: string;
  /** Location given to jobs that name none: BigQuery's US default. */
  location?: string;
  /** Ask the emulator for column sizes to bill query bytes (default true); false bills the 10 MB minimums only. */
  measureBytes?: boolean;
  /**
   * The storage block size clustered tables are modelled with (default 64 MiB, the size from which the docs say
   * clustering pays); smaller lets a test show pruning on a small table, as `scale` does for limits.
   */
  clusterBlockBytes?: number;
  beforeForward?: (call: ForwardedCall) => Promise<void> | void;
}

export interface QuotaGate {
  url: string;
  limits: QuotaLimits;
  bill(): Bill;
  /** Forgets every count and the bill (jobs already created stay known: their ids remain taken). */
  reset(): void;
  stop(): Promise<void>;
}

/** "Clustering … pays for tables over 64 MB" (Introduction to clustered tables): the block size BigQuery does not state. */
export const DEFAULT_CLUSTER_BLOCK_BYTES = 64 * 1024 * 1024;

type Handler = (ctx: GateContext, request: IncomingMessage, response: ServerResponse, route: Route) => Promise<void>;

const HANDLERS: Record<string, Handler> = {
  'jobs.insert': handleJobsInsert,
  'jobs.query': handleJobsQuery,
  'jobs.get': handleJobsGet,
  'jobs.getQueryResults': handleQueryResults,
  'jobs.cancel': handleJobsCancel,
};

async function handle(ctx: GateContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/healthz') return sendJson(response, 200, { ok: true });
  if (request.method === 'GET' && url === '/bill') return sendJson(response, 200, ctx.ledger.snapshot());
  const override = request.headers['x-http-method-override'];
  const route = routeOf(request.method ?? 'GET', url, typeof override === 'string' ? override : undefined);
  // A media upload is a jobs.insert to BigQuery's API limits and bill; it is forwarded as it is (see docs).
  const method = route.method === 'jobs.upload' ? 'jobs.insert' : route.method;
  if (route.method !== 'other') ctx.ledger.apiCall(method);
  const refusal = ctx.quotas().apiCall(method, userOf(request), route.project);
  if (refusal && 'http' in refusal) {
    ctx.ledger.quotaError(refusal.limit, 'rateLimitExceeded');
    return sendError(response, refusal.http);
  }
  const handler = HANDLERS[route.method];
  if (handler) return handler(ctx, request, response, route);
  const status = await ctx.upstream.forward(request, response);
  if (route.method === 'jobs.upload' && status < 300) ctx.ledger.job('load', false);
}

/** Starts the gate on 127.0.0.1 (or `host`); answers GET /healthz and GET /bill besides BigQuery's paths. */
export async function startQuotaGate(options: QuotaGateOptions): Promise<QuotaGate> {
  const limits = resolveLimits(options.scale, options.limits);
  let quotas = new Quotas(limits);
  let url = '';
  const ctx: GateContext = {
    upstream: new Upstream(options.upstream),
    jobs: new JobRegistry(),
    quotas: () => quotas,
    ledger: new Ledger(),
    gateUrl: () => url,
    measureBytes: options.measureBytes ?? true,
    clusterBlockBytes: options.clusterBlockBytes ?? DEFAULT_CLUSTER_BLOCK_BYTES,
    defaultLocation: options.location ?? 'US',
    ...(options.beforeForward ? { beforeForward: options.beforeForward } : {}),
  };
  const server = createServer((request, response) => {
    handle(ctx, request, response).catch((error: unknown) => {
      const tooLarge = error instanceof BodyTooLarge;
      const message = `quota gate: ${error instanceof Error ? error.message : String(error)}`;
      if (!response.headersSent) sendError(response, httpError(tooLarge ? 413 : 502, tooLarge ? 'invalid' : 'backendError', message));
      else response.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, host, resolve));
  url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    limits,
    bill: () => ctx.ledger.snapshot(),
    reset: () => {
      quotas = new Quotas(limits);
      ctx.ledger.reset();
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ctx.upstream.close();
    },
  };
}
