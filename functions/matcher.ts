// The matcher function: a GCS notification from landfall-arrivals → lib/pipeline handleArrival. Resolve acks, throw retries.
import { cloudEvent } from '@google-cloud/functions-framework';
import { handleArrival } from '../lib/pipeline/index.js';
import { matcherRoot } from '../lib/wiring/matcher.js';
import { pubsubFunction } from './pubsub-function.js';

// Cold start: a bad configuration stops the process here, before any message.
const deps = await matcherRoot(process.env);
cloudEvent('matcher', pubsubFunction('matcher', deps, (message) => handleArrival(deps, message)));
