// Cloud Run's Jobs API client, in a module of its own and outside the barrel: the wiring imports it only where dbt
// runs as a Cloud Run job, so no other dbt trigger loads the client.
import { JobsClient } from '@google-cloud/run';
import type { JobsClientLike } from './cloud-run-runner.js';

export function jobsClient(): JobsClientLike {
  return new JobsClient();
}
