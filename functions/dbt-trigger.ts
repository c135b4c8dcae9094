// The dbtTrigger function: a load event from landfall-load-events → lib/transform handleLoadEvent. Resolve acks, throw retries.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { dbtTriggerDeps, loadDbtTriggerConfig } from '../lib/adapters/dbt/index.js';
import { decodePubSubEvent } from '../lib/pipeline/index.js';
import { handleLoadEvent } from '../lib/transform/index.js';
import type { DbtTriggerDeps } from '../lib/transform/index.js';

// Parsed at cold start so a bad batch file is reported at once; kept as a promise so it stops only this function.
const config = loadDbtTriggerConfig(process.env);
config.catch((error: unknown) => console.error(`dbtTrigger: configuration: ${error instanceof Error ? error.message : String(error)}`));
let deps: DbtTriggerDeps | undefined;

export async function dbtTrigger(event: CloudEvent<unknown>): Promise<void> {
  deps ??= dbtTriggerDeps(await config, process.env);
  const message = decodePubSubEvent(event);
  if (message === undefined) {
    deps.log('ERROR', 'event_malformed', { reason: 'not a Pub/Sub messagePublished event', cloudEvent: JSON.stringify(event).slice(0, 4000) });
    return;
  }
  await handleLoadEvent(deps, message);
}
