// Every bad-input case that applies to BigQuery, on goccy/bigquery-emulator reading from fake-gcs-server.
import { describe } from 'node:test';
import { badInputCases, badInputMappings, badInputTests } from '../../contract/bad-input-contract.js';
import { newBigQueryHarness, useBigQueryStack } from './harness.js';

/**
 * The emulator slows with every job it has run (from ~2 s a case to over 20 s after fifty): a fresh emulator for each
 * group of cases keeps them at their first speed.
 */
const CASES_PER_EMULATOR = 12;

const [cases, mappings] = await Promise.all([badInputCases('bigquery'), badInputMappings()]);
for (let i = 0; i < cases.length; i += CASES_PER_EMULATOR) {
  const group = cases.slice(i, i + CASES_PER_EMULATOR);
  describe(`bad input: BigQuery (emulator), ${group[0]!.name} … ${group.at(-1)!.name}`, () => {
    const stack = useBigQueryStack();
    badInputTests(group, mappings, () => newBigQueryHarness(stack.clients()));
  });
}
