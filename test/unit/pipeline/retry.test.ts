import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalError, TransientError } from '../../../lib/errors.js';
import { withRetries } from '../../../lib/pipeline/retry.js';

const options = { budgetMs: 1000, firstDelayMs: 10, maxDelayMs: 40, random: () => 1 };

test('a transient failure is tried again with growing, capped delays until it passes', async () => {
  const delays: number[] = [];
  let calls = 0;
  const result = await withRetries(async () => {
    if (++calls < 5) throw new TransientError('BigQuery: 503');
    return 'loaded';
  }, { ...options, onRetry: (_e, delayMs) => delays.push(delayMs) });
  assert.equal(result, 'loaded');
  assert.deepEqual(delays, [10, 20, 40, 40]);
});

test('a terminal failure is thrown at once; a transient one past the budget is handed back', async () => {
  let calls = 0;
  await assert.rejects(withRetries(async () => {
    calls++;
    throw new TerminalError('bad row');
  }, options), /bad row/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(withRetries(async () => {
    calls++;
    throw new TransientError('still down');
  }, { ...options, budgetMs: 100 }), /still down/);
  assert.ok(calls >= 2 && calls <= 5, `tried ${calls} times within 100 ms`);
});

test('the delay is drawn below the cap (full jitter)', async () => {
  const delays: number[] = [];
  let calls = 0;
  await withRetries(async () => {
    if (++calls < 3) throw new TransientError('x');
  }, { ...options, random: () => 0.5, onRetry: (_e, delayMs) => delays.push(delayMs) });
  assert.deepEqual(delays, [5, 10]);
});

test('a transient failure the caller says another try cannot get past is thrown at once', async () => {
  let calls = 0;
  const retryable = (e: unknown) => !(e instanceof TransientError && e.message.startsWith('handed back'));
  await assert.rejects(withRetries(async () => {
    calls++;
    throw new TransientError(calls === 1 ? 'BigQuery: 503' : 'handed back');
  }, { ...options, retryable }), /handed back/);
  assert.equal(calls, 2, 'tried after the 503, not after the hand-back');
});
