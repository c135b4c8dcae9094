// The HTTP request Pub/Sub push makes to an endpoint, and what its answer means: 102, 200, 201, 202 and 204 ack.

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

/** POSTs the envelope and says whether the endpoint acked; a refused connection or the deadline passing is a nack. */
export async function push(url: string, envelope: PushEnvelope, timeoutMs: number): Promise<PushOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    if ((ACK_STATUSES as readonly number[]).includes(response.status)) return { acked: true, status: response.status };
    return { acked: false, status: response.status, reason: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { acked: false, status: null, reason: cause ?? (error as Error).name ?? String(error) };
  }
}
