// Every bad-input case on a real DuckDB file (the same cases run on the BigQuery emulator, bad-input-contract.test.ts there).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { badInputCases, badInputMappings, badInputTests } from '../../contract/bad-input-contract.js';
import { newDuckDbHarness } from './harness.js';

test('there are at least 80 bad-input cases', async () => {
  const cases = await badInputCases();
  assert.ok(cases.length >= 80, `found ${cases.length}`);
});

const [cases, mappings] = await Promise.all([badInputCases('duckdb'), badInputMappings()]);
describe('bad input: DuckDB', () => {
  badInputTests(cases, mappings, () => newDuckDbHarness());
});
