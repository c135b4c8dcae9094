// The loader function: a load request from landfall-load-requests → lib/pipeline handleLoadRequest. Resolve acks, throw retries.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { decodePubSubEvent, handleLoadRequest } from '../lib/pipeline/index.js';
import { loaderContext } from './context.js';

export async function loader(event: CloudEvent<unknown>): Promise<void> {
  const deps = loaderContext();
  const message = decodePubSubEvent(event);
  if (message === undefined) {
    deps.log('ERROR', 'event_malformed', { reason: 'not a Pub/Sub messagePublished event', cloudEvent: JSON.stringify(event).slice(0, 4000) });
    return;
  }
  await handleLoadRequest(deps, message);
}
