// The Cloud Run runner. No emulator exists for Cloud Run, so these tests check the exact request it builds and how it
// reads executions, through a test double of JobsClient (the only stand-in: the live API cannot run here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudRunDbtRunner, runJobRequest } from '../../../../lib/adapters/dbt/cloud-run-runner.js';
import type { JobsClientLike } from '../../../../lib/adapters/dbt/cloud-run-runner.js';
import { TransientError } from '../../../../lib/errors.js';

const OPTIONS = { project: 'acme-data', region: 'europe-west1', job: 'landfall-dbt' };
const REQUEST = { batch: 'daily', batchKey: '20240115', select: 'tag:daily' };
const RUN_RESULTS = JSON.stringify({
  results: [
    { unique_id: 'model.landfall_example.stg_trades', status: 'success' },
    { unique_id: 'model.landfall_example.position_values', status: 'error', message: 'Database Error: division by zero' },
  ],
});

/** Records each request; answers with the execution (or the error) the test gives. */
function jobsClient(outcome: { execution?: object; error?: Error; callError?: Error }) {
  const requests: unknown[] = [];
  const client: JobsClientLike = {
    async runJob(request) {
      requests.push(request);
      if (outcome.callError) throw outcome.callError;
      return [
        {
          name: 'operations/1',
          promise: async () => {
            if (outcome.error) throw outcome.error;
            return [outcome.execution ?? {}];
          },
        },
      ];
    },
  };
  return { client, requests };
}

describe('runJobRequest', () => {
  it('names the job and overrides the container args and env for the batch key', () => {
    assert.deepEqual(runJobRequest(OPTIONS, REQUEST, 'gs://acme-landfall/dbt-runs/x.json'), {
      name: 'projects/acme-data/locations/europe-west1/jobs/landfall-dbt',
      overrides: {
        containerOverrides: [
          {
            args: ['build', '--select', 'tag:daily', '--vars', '{"batch_key":"20240115","batch":"daily"}', '--target', 'prod'],
            env: [
              { name: 'LANDFALL_BATCH', value: 'daily' },
              { name: 'LANDFALL_BATCH_KEY', value: '20240115' },
              { name: 'DBT_RESULTS_URI', value: 'gs://acme-landfall/dbt-runs/x.json' },
            ],
          },
        ],
        taskCount: 1,
      },
    });
  });
});

describe('CloudRunDbtRunner', () => {
  it('reports a succeeded execution with the models from its run_results.json', async () => {
    const { client, requests } = jobsClient({ execution: { name: 'executions/e1', succeededCount: 1, failedCount: 0, logUri: 'https://log/e1' } });
    const read: string[] = [];
    const runner = new CloudRunDbtRunner(client, {
      ...OPTIONS,
      resultsPrefix: 'gs://acme-landfall/dbt-runs/',
      readText: async (uri) => (read.push(uri), JSON.stringify({ results: [{ unique_id: 'model.landfall_example.stg_trades', status: 'success' }] })),
    });
    const result = await runner.run(REQUEST);
    assert.equal(result.status, 'success');
    assert.deepEqual(result.modelsBuilt, ['model.landfall_example.stg_trades']);
    assert.match(result.logExcerpt, /logs: https:\/\/log\/e1/);
    const env = (requests[0] as any).overrides.containerOverrides[0].env as { name: string; value: string }[];
    const uri = env.find((e) => e.name === 'DBT_RESULTS_URI')?.value;
    assert.match(uri ?? '', /^gs:\/\/acme-landfall\/dbt-runs\/daily\/20240115\/[0-9a-f-]{36}\.json$/);
    assert.deepEqual(read, [uri]);
  });

  it("reports a failed execution with dbt's errors and the execution's conditions", async () => {
    const { client } = jobsClient({
      execution: { succeededCount: 0, failedCount: 1, conditions: [{ type: 'Completed', message: 'Task landfall-dbt-x-0 failed' }] },
    });
    const runner = new CloudRunDbtRunner(client, { ...OPTIONS, resultsPrefix: 'gs://b/p', readText: async () => RUN_RESULTS });
    const result = await runner.run(REQUEST);
    assert.equal(result.status, 'error');
    assert.deepEqual(result.modelsFailed, ['model.landfall_example.position_values']);
    assert.equal(result.message, 'model.landfall_example.position_values: Database Error: division by zero\nCompleted: Task landfall-dbt-x-0 failed');
  });

  it('reports an operation that ended in an error as a failed run', async () => {
    const { client } = jobsClient({ error: new Error('9 FAILED_PRECONDITION: The execution failed.') });
    const result = await new CloudRunDbtRunner(client, OPTIONS).run(REQUEST);
    assert.equal(result.status, 'error');
    assert.equal(result.message, '9 FAILED_PRECONDITION: The execution failed.');
    assert.deepEqual(result.modelsBuilt, []);
  });

  it('throws a TransientError when the job could not be started for a retryable reason', async () => {
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: connection reset'), { code: 14 });
    await assert.rejects(new CloudRunDbtRunner(jobsClient({ callError: unavailable }).client, OPTIONS).run(REQUEST), TransientError);
    const denied = Object.assign(new Error('7 PERMISSION_DENIED'), { code: 7 });
    await assert.rejects(new CloudRunDbtRunner(jobsClient({ callError: denied }).client, OPTIONS).run(REQUEST), /PERMISSION_DENIED/);
  });
});
