// Health checks for each part of the stack, and a wait that says which part failed and why.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, type StackPart } from './ports.js';
import { logTail, type GroupProcess } from './processes.js';

/** A part that did not come up (or went down): the message names it, gives the reason and its log's tail. */
export class StackError extends Error {
  constructor(
    readonly part: StackPart | 'bootstrap',
    reason: string,
    readonly logPath?: string,
    tail?: string,
  ) {
    super(`landfall stack: ${part} ${reason}${logPath ? `\n--- last lines of ${logPath} ---\n${tail ?? ''}` : ''}`);
    this.name = 'StackError';
  }
}

export type HealthCheck = () => Promise<void>;

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

function tcpConnect(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no TCP connection within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
  });
}

function expectOk(what: string, status: number, body: string): void {
  if (status !== 200) throw new Error(`${what} answered HTTP ${status}: ${body.slice(0, 200)}`);
}

/** One check per part, each the cheapest request that proves the part serves its API. */
export function healthCheck(part: StackPart, port: number, project: string, attemptTimeoutMs = 1000): HealthCheck {
  const base = `http://${HOST}:${port}`;
  switch (part) {
    case 'pubsub':
      return async () => {
        const { status, body } = await get(`${base}/v1/projects/${project}/topics`, attemptTimeoutMs);
        expectOk('list topics', status, body);
      };
    case 'firestore':
      return async () => {
        const { status, body } = await get(`${base}/`, attemptTimeoutMs);
        if (status !== 200 || body.trim() !== 'Ok') throw new Error(`GET / answered HTTP ${status} "${body.trim().slice(0, 80)}", not "Ok"`);
      };
    case 'storage':
      return async () => {
        const { status, body } = await get(`${base}/storage/v1/b?project=${project}`, attemptTimeoutMs);
        expectOk('list buckets', status, body);
      };
    case 'relay':
      return async () => {
        const { status, body } = await get(`${base}/`, attemptTimeoutMs);
        expectOk('the relay', status, body);
      };
    case 'bigquery':
      return async () => {
        const { status, body } = await get(`${base}/bigquery/v2/projects/${project}/datasets`, attemptTimeoutMs);
        expectOk('list datasets', status, body);
      };
    case 'quotaGate':
      return async () => {
        const { status, body } = await get(`${base}/healthz`, attemptTimeoutMs);
        expectOk('the quota gate', status, body);
      };
    default:
      // functions-framework listens only once the function module has loaded. A TCP connect, not a request:
      // a GET would reach the cloudEvent handler and log an error in the function's log.
      return () => tcpConnect(port, attemptTimeoutMs);
  }
}

/** Polls `check` until it passes; fails early if the process exits, and at `timeoutMs` with the last error. */
export async function waitHealthy(
  part: StackPart,
  proc: GroupProcess,
  check: HealthCheck,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (proc.hasExited()) {
      const code = await proc.exited;
      throw new StackError(part, `exited during start-up (exit ${code})`, proc.logPath, await logTail(proc.logPath));
    }
    try {
      await check();
      return;
    } catch (error) {
      lastError = describe(error);
    }
    if (Date.now() > deadline) {
      throw new StackError(
        part,
        `not healthy after ${timeoutMs} ms: ${lastError}`,
        proc.logPath,
        await logTail(proc.logPath),
      );
    }
    await sleep(100);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
