// The HTTP request Pub/Sub push makes to an endpoint, and what its answer means: 102, 200, 201, 202 and 204 ack.
import { Agent, request as httpRequest } from 'node:http';

/** A message as a subscription holds it. */
export interface PushMessage {
  data: Buffer;
  attributes: Record<string, string>;
  messageId: string;
  publishTime: string;
}

/** The JSON body of a push, as Pub/Sub sends it (both spellings of the id and time, as Pub/Sub does). */
export interface PushEnvelope {
  message: {
    data: string;
    attributes: Record<string, string>;
    messageId: string;
    message_id: string;
    publishTime: string;
    publish_time: string;
  };
  subscription: string;
  deliveryAttempt?: number;
}

/** `deliveryAttempt` is present when the subscription has a dead-letter policy, as Pub/Sub sets it then. */
export function pushEnvelope(message: PushMessage, subscription: string, deliveryAttempt?: number): PushEnvelope {
  return {
    message: {
      data: message.data.toString('base64'),
      attributes: message.attributes,
      messageId: message.messageId,
      message_id: message.messageId,
      publishTime: message.publishTime,
      publish_time: message.publishTime,
    },
    subscription,
    ...(deliveryAttempt === undefined ? {} : { deliveryAttempt }),
  };
}

/** Pub/Sub push's success codes; anything else (or no answer) is a negative acknowledgement. */
const ACK_STATUSES = [102, 200, 201, 202, 204] as const;

export type PushOutcome = { acked: true; status: number } | { acked: false; status: number | null; reason: string };

/**
 * Connections kept open between pushes, as Pub/Sub's pushers keep theirs. Plain node:http, not fetch: fetch's
 * transport ends any request whose response headers take over 300 s, and a push must wait up to its ack deadline.
 * An idle connection is dropped a second before the server's announced keep-alive timeout (Node applies the
 * server's hint only below the agent's own `timeout`, which never ends a request in flight).
 */
const agent = new Agent({ keepAlive: true, timeout: 60_000 });

/** POSTs the envelope and says whether the endpoint acked; a refused connection or the deadline passing is a nack. */
export function push(url: string, envelope: PushEnvelope, timeoutMs: number): Promise<PushOutcome> {
  const body = JSON.stringify(envelope);
  const signal = AbortSignal.timeout(timeoutMs);
  const send = (retryStale: boolean) =>
    new Promise<PushOutcome>((resolve) => {
      const request = httpRequest(url, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal,
      });
      request.on('error', (error: Error & { code?: string }) => {
        // A kept connection the server closed as this push went out (Node's advice: send it again, once). Should the
        // endpoint have had it after all, that is one more delivery, which push never rules out.
        if (retryStale && request.reusedSocket && error.code === 'ECONNRESET') resolve(send(false));
        else resolve({ acked: false, status: null, reason: signal.aborted ? `no answer within ${timeoutMs} ms` : (error.code ?? error.name) });
      });
      request.on('response', (response) => {
        response.on('error', () => resolve({ acked: false, status: null, reason: 'the answer was cut off' }));
        response.resume();
        response.on('end', () => {
          const status = response.statusCode!;
          if ((ACK_STATUSES as readonly number[]).includes(status)) resolve({ acked: true, status });
          else resolve({ acked: false, status, reason: `HTTP ${status}` });
        });
      });
      request.end(body);
    });
  return send(true);
}
