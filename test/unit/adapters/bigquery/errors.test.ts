import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureOf, isDuplicateJob } from '../../../../lib/adapters/bigquery/errors.js';

test("a taken job id, in BigQuery's words (409) and the emulator's (400 \"already created\"), is a duplicate job", () => {
  assert.equal(isDuplicateJob(failureOf(Object.assign(new Error('Already Exists: Job p:landfall_commit_x_1'), { code: 409 }))), true);
  const emulator = Object.assign(new Error('failed to add job: job landfall_commit_77de7df0-be0e_1 is already created'), { code: 400, errors: [{ reason: 'jobInternalError' }] });
  assert.equal(isDuplicateJob(failureOf(emulator)), true);
  assert.equal(isDuplicateJob(failureOf(Object.assign(new Error('Error while reading data'), { code: 400 }))), false);
  assert.equal(isDuplicateJob(failureOf(Object.assign(new Error('table already created'), { code: 400 }))), false);
});
