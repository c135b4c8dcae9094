import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReplacement } from '../../../lib/load/index.js';
import type { PriorLoad, ReplacePolicy } from '../../../lib/load/index.js';

const ctx = { table: 't', file: 'f.csv' };
const prior: PriorLoad[] = [
  { loadId: 'old-gone', generation: 'g0', status: 'replaced', rows: 4 },
  { loadId: 'old', generation: 'g1', status: 'loaded', rows: 7 },
  { loadId: 'bad', generation: 'g2', status: 'failed', rows: 0 },
];
const policy = (force: boolean, reupload: ReplacePolicy['reupload'] = 'replace'): ReplacePolicy => ({ force, reupload });

test('a first load replaces nothing', () => {
  assert.deepEqual(planReplacement([], 'g1', policy(false), ctx), { action: 'load', replaceLoadIds: [] });
});

test('the same generation is skipped unless forced, naming the load and rows that hold it; forced, it replaces that load', () => {
  assert.deepEqual(planReplacement(prior, 'g1', policy(false), ctx), { action: 'skip', loadId: 'old', rows: 7 });
  assert.deepEqual(planReplacement(prior, 'g1', policy(true), ctx), { action: 'load', replaceLoadIds: ['old'] });
});

test('failed and replaced loads neither skip nor get replaced', () => {
  assert.deepEqual(planReplacement(prior, 'g2', policy(false, 'append'), ctx), { action: 'load', replaceLoadIds: [] });
  assert.deepEqual(planReplacement(prior, 'g0', policy(false, 'append'), ctx), { action: 'load', replaceLoadIds: [] });
});

test('a new generation: replace deletes the earlier loads, append keeps them, reject fails unless forced', () => {
  assert.deepEqual(planReplacement(prior, 'g9', policy(false, 'replace'), ctx), { action: 'load', replaceLoadIds: ['old'] });
  assert.deepEqual(planReplacement(prior, 'g9', policy(false, 'append'), ctx), { action: 'load', replaceLoadIds: [] });
  assert.throws(() => planReplacement(prior, 'g9', policy(false, 'reject'), ctx), /f\.csv was already loaded into t .*generation g1.*"reject"/);
  assert.deepEqual(planReplacement(prior, 'g9', policy(true, 'reject'), ctx), { action: 'load', replaceLoadIds: ['old'] });
});
