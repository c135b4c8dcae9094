// Turns the CloudEvent a Pub/Sub push (or trigger) delivers into a BusMessage.
import type { BusMessage } from './messages.js';

interface PushedMessage {
  data?: string;
  attributes?: Record<string, string>;
  messageId?: string;
  message_id?: string;
  publishTime?: string;
}

/** `event.data.message` of a `google.cloud.pubsub.topic.v1.messagePublished` event; undefined if there is none. */
export function decodePubSubEvent(event: { id?: string; data?: unknown }): BusMessage | undefined {
  const message = (event.data as { message?: PushedMessage } | undefined)?.message;
  if (typeof message !== 'object' || message === null) return undefined;
  return {
    data: Buffer.from(message.data ?? '', 'base64'),
    attributes: message.attributes ?? {},
    messageId: message.messageId ?? message.message_id ?? event.id ?? '',
    publishTime: message.publishTime ?? null,
  };
}
