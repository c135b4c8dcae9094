// Malformed messages: logged with their content, published to the dead-letter topic with the reason, then acked.
import type { Topology } from '../config/topology.js';
import type { Logger } from './log.js';
import { MalformedMessageError, type BusMessage } from './messages.js';
import type { Bus } from './ports.js';

export const DEAD_LETTER_ATTRIBUTES = { reason: 'landfallReason', source: 'landfallSource' } as const;

/** Runs a parser; a MalformedMessageError comes back as a value, anything else is thrown. */
export function guardMalformed<T>(parse: () => T): T | MalformedMessageError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof MalformedMessageError) return error;
    throw error;
  }
}

export async function deadLetter(
  deps: { bus: Bus; topology: Topology; log: Logger },
  message: BusMessage,
  error: MalformedMessageError,
  source: string,
): Promise<void> {
  deps.log('ERROR', 'message_malformed', {
    reason: error.reason,
    messageId: message.messageId,
    attributes: message.attributes,
    data: message.data.toString('utf8').slice(0, 4000),
  });
  await deps.bus.publish(deps.topology.topics.deadLetter, message.data, {
    ...message.attributes,
    [DEAD_LETTER_ATTRIBUTES.reason]: error.reason.slice(0, 1000),
    [DEAD_LETTER_ATTRIBUTES.source]: source,
  });
}
