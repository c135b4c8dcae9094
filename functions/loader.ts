// The loader function: a load request from landfall-load-requests → lib/pipeline handleLoadRequest. Resolve acks, throw retries.
import { cloudEvent } from '@google-cloud/functions-framework';
import { handleLoadRequest } from '../lib/pipeline/index.js';
import { loaderRoot } from '../lib/wiring/loader.js';
import { pubsubFunction } from './pubsub-function.js';

// Cold start: a bad configuration stops the process here, before any message.
const deps = await loaderRoot(process.env);
cloudEvent('loader', pubsubFunction('loader', deps, (message) => handleLoadRequest(deps, message)));
