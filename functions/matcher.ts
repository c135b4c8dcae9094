// The matcher function: a GCS notification from landfall-arrivals → lib/pipeline handleArrival. Resolve acks, throw retries.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { decodePubSubEvent, handleArrival } from '../lib/pipeline/index.js';
import { matcherContext } from './context.js';

export async function matcher(event: CloudEvent<unknown>): Promise<void> {
  const deps = matcherContext();
  const message = decodePubSubEvent(event);
  if (message === undefined) {
    deps.log('ERROR', 'event_malformed', { reason: 'not a Pub/Sub messagePublished event', cloudEvent: JSON.stringify(event).slice(0, 4000) });
    return;
  }
  await handleArrival(deps, message);
}
