// The dbtTrigger function: a load event from landfall-load-events → lib/transform handleLoadEvent. Resolve acks, throw retries.
import { cloudEvent } from '@google-cloud/functions-framework';
import { handleLoadEvent } from '../lib/transform/index.js';
import { dbtTriggerRoot } from '../lib/wiring/dbt-trigger.js';
import { pubsubFunction } from './pubsub-function.js';

// Cold start: a bad batch definition stops the process here, before any message; table mappings matter only for
// the names they write, so a mapping problem of the loader's does not stop dbt.
const deps = await dbtTriggerRoot(process.env);
cloudEvent('dbtTrigger', pubsubFunction('dbtTrigger', deps, (message) => handleLoadEvent(deps, message)));
