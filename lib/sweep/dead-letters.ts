// Dead letters back to their topics: a message Pub/Sub gave up on is re-driven the minute the sweep sees it, a few times at most.
import type { TableMapping, TopicRole, Topology } from '../config/index.js';
import { classify } from '../match/index.js';
import { DEAD_LETTER_ATTRIBUTES, parseArrival, parseJson, validateLoadEvents, validateLoadRequest, type BusMessage } from '../pipeline/index.js';

/** On every message the sweep publishes, so a reader of the logs or the bus can tell its re-drives apart. */
export const SWEEP_ATTRIBUTE = 'landfallSweep';
/** How many times the sweep has taken this message back from the dead letters. */
export const REDRIVE_ATTRIBUTE = 'landfallRedrives';
/** The attributes Pub/Sub adds to a message it dead-letters. */
const PUBSUB_DEAD_LETTER_PREFIX = 'CloudPubSubDeadLetterSource';

export type DeadLetterAction =
  | { kind: 'redrive'; topic: TopicRole; attributes: Record<string, string>; reason: string; table?: string }
  | { kind: 'leave'; reason: string; table?: string };

const parses = (parse: () => unknown): boolean => {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
};

/**
 * Which topic the message came from, by what it is: an arrival (a GCS notification), a load request or a load event,
 * and the table it is for. Production's function subscriptions are named by Eventarc, so their names cannot say it.
 */
function topicOf(message: BusMessage, mappings: readonly TableMapping[]): { topic: TopicRole; table?: string } | undefined {
  if (message.attributes.eventType !== undefined && parses(() => parseArrival(message))) {
    const table = classify(parseArrival(message).object.name, mappings)?.mapping.table;
    return { topic: 'arrivals', ...(table ? { table } : {}) };
  }
  const json = parses(() => parseJson(message)) ? parseJson(message) : undefined;
  if (parses(() => validateLoadRequest(json))) return { topic: 'loadRequests', table: validateLoadRequest(json).table };
  if (parses(() => validateLoadEvents(json))) return { topic: 'loadEvents', table: validateLoadEvents(json)[0]!.table };
  return undefined;
}

/** What the sweep does with one dead letter: re-drive it to its topic with its reason, or leave it for a person. */
export function deadLetterAction(message: BusMessage, maxRedrives: number, topology: Pick<Topology, 'deadLetterSubscription'>, mappings: readonly TableMapping[] = []): DeadLetterAction {
  const attributes = message.attributes;
  const malformed = attributes[DEAD_LETTER_ATTRIBUTES.reason];
  if (malformed !== undefined) return { kind: 'leave', reason: `malformed, never retried: ${malformed}` };
  const source = attributes[`${PUBSUB_DEAD_LETTER_PREFIX}Subscription`] ?? 'an unknown subscription';
  const reason = `dead-lettered by ${source.split('/').at(-1)} after ${attributes[`${PUBSUB_DEAD_LETTER_PREFIX}DeliveryCount`] ?? 'its'} delivery attempts`;
  const found = topicOf(message, mappings);
  if (found === undefined) return { kind: 'leave', reason: `${reason}; not a landfall arrival, load request or load event` };
  const { topic, table } = found;
  const about = table ? { table } : {};
  const redrives = Number(attributes[REDRIVE_ATTRIBUTE] ?? 0);
  if (redrives >= maxRedrives) return { kind: 'leave', reason: `${reason}; re-driven ${redrives} time(s) already: left in ${topology.deadLetterSubscription} for a person`, ...about };
  const kept = Object.entries(attributes).filter(([key]) => !key.startsWith(PUBSUB_DEAD_LETTER_PREFIX));
  return { kind: 'redrive', topic, reason, attributes: { ...Object.fromEntries(kept), [REDRIVE_ATTRIBUTE]: String(redrives + 1), [SWEEP_ATTRIBUTE]: 'true' }, ...about };
}
