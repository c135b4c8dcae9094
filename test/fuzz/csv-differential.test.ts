// Differential fuzz: generated hostile CSV files through `landfall load`, each checked against the reference reader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { csvCase } from './csv-cases.js';
import { describeMismatch, fuzzProperty } from './property.js';

/** Fixed, so a failure here is the same failure on every machine; `npm run bench:fuzz` runs other seeds, longer. */
const SEED = 20261205;
const RUNS = 25;
const FILES_PER_RUN = 40;

test(`${RUNS} runs of up to ${FILES_PER_RUN} generated files each load exactly as the reference reads them, or fail at its file and line`, { timeout: 600_000 }, async () => {
  const result = await fc.check(fuzzProperty(csvCase, FILES_PER_RUN), { seed: SEED, numRuns: RUNS, endOnFailure: false });
  assert.ok(!result.failed, result.failed ? describeMismatch(result) : '');
});
