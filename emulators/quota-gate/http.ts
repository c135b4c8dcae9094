// Small HTTP helpers for the gate's own answers: JSON out, a request body in (bounded), the caller's identity.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpError } from './errors.js';

/** jobs.insert and jobs.query bodies are JSON requests (a query's text, a load's URIs): far below this. */
const MAX_CONTROL_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTROL_BODY_BYTES) throw new BodyTooLarge(`request body over ${MAX_CONTROL_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJson<T>(body: Buffer): T | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.httpStatus, error.body);
}

/** "Per user" limits: the bearer token stands for the user (the emulator checks none), else the caller's address. */
export function userOf(request: IncomingMessage): string {
  return request.headers.authorization ?? request.socket.remoteAddress ?? 'anonymous';
}
