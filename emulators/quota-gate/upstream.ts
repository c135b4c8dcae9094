// The emulator behind the gate: client requests forwarded as they came (bodies streamed), and the gate's own calls.
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Headers that belong to one connection, not to the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

export interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CallResult<T> {
  status: number;
  json: T;
}

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

async function collect(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class Upstream {
  private readonly url: URL;
  /** Keep-alive: the bill's byte counts add a call or two per query, which should not each open a connection. */
  private readonly agent = new Agent({ keepAlive: true });

  constructor(base: string) {
    this.url = new URL(base);
  }

  private open(method: string, path: string, headers: IncomingHttpHeaders): Promise<IncomingMessage> & { send(body?: Buffer | IncomingMessage): void } {
    let send!: (body?: Buffer | IncomingMessage) => void;
    const answer = new Promise<IncomingMessage>((resolve, reject) => {
      const out = request({ host: this.url.hostname, port: this.url.port, method, path, headers, agent: this.agent }, resolve);
      out.on('error', reject);
      send = (body) => {
        if (body === undefined) out.end();
        else if (Buffer.isBuffer(body)) out.end(body);
        else body.pipe(out);
      };
    });
    return Object.assign(answer, { send });
  }

  /** Sends the client's request on (its body streamed, or the bytes already read) and streams the answer back; returns its status. */
  async forward(incoming: IncomingMessage, outgoing: ServerResponse, body?: Buffer): Promise<number> {
    const headers = endToEnd(incoming.headers);
    if (body) headers['content-length'] = String(body.length);
    const pending = this.open(incoming.method ?? 'GET', incoming.url ?? '/', headers);
    pending.send(body ?? incoming);
    const answer = await pending;
    outgoing.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    answer.pipe(outgoing);
    await new Promise<void>((resolve, reject) => answer.on('end', resolve).on('error', reject));
    return answer.statusCode ?? 502;
  }

  /** Sends the client's request on with `body` and reads the whole answer, for the gate to look at before answering. */
  async exchange(incoming: IncomingMessage, body: Buffer): Promise<Exchange> {
    const headers = { ...endToEnd(incoming.headers), 'content-length': String(body.length) };
    const pending = this.open(incoming.method ?? 'GET', incoming.url ?? '/', headers);
    pending.send(body);
    const answer = await pending;
    return { status: answer.statusCode ?? 502, headers: endToEnd(answer.headers), body: await collect(answer) };
  }

  /** One of the gate's own REST calls, `path` under /bigquery/v2. */
  async call<T>(method: string, path: string, json?: unknown): Promise<CallResult<T>> {
    const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const headers: IncomingHttpHeaders = body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {};
    const pending = this.open(method, `/bigquery/v2${path}`, headers);
    pending.send(body);
    const answer = await pending;
    const text = (await collect(answer)).toString('utf8');
    return { status: answer.statusCode ?? 502, json: (text ? JSON.parse(text) : {}) as T };
  }

  /** Rows of a query the gate asks itself (values as the API's strings); throws with the emulator's message on failure. */
  async query(project: string, sql: string): Promise<(string | null)[][]> {
    type Answer = { rows?: { f: { v: string | null }[] }[]; error?: { message: string } };
    const { status, json } = await this.call<Answer>('POST', `/projects/${encodeURIComponent(project)}/queries`, { query: sql, useLegacySql: false });
    if (status >= 400) throw new Error(json.error?.message ?? `query failed with HTTP ${status}`);
    return (json.rows ?? []).map((row) => row.f.map((cell) => cell.v));
  }

  close(): void {
    this.agent.destroy();
  }
}
