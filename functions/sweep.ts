// The sweep function: a tick from landfall-sweep-ticks (Cloud Scheduler; the local relay's clock) → lib/sweep runSweep.
import { cloudEvent } from '@google-cloud/functions-framework';
import { runSweep } from '../lib/sweep/index.js';
import { sweepRoot } from '../lib/wiring/sweep.js';
import { pubsubFunction } from './pubsub-function.js';

const deps = await sweepRoot(process.env);
// The tick's content does not matter: every sweep looks at everything. A sweep that throws is retried like any push.
cloudEvent('sweep', pubsubFunction('sweep', deps, () => runSweep(deps)));
