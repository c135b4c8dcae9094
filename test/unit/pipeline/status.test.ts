import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyArrival, formatStatus, statusRows } from '../../../lib/pipeline/index.js';
import { NOW, SLOT, arrived, part, withGo } from './helpers.js';

test('a waiting file says what it waits for and for how long; unmatched objects are listed', () => {
  const doc = applyArrival(undefined, arrived('data', part('trades_1.csv', '10')), withGo, SLOT, NOW).doc;
  const later = new Date(Date.parse(NOW) + 90_000);
  const rows = statusRows([doc], [{ bucket: 'landing', name: 'incoming/x.txt', generation: '1', firstSeenAt: NOW, lastSeenAt: NOW }], later);
  assert.equal(rows[0]?.state, 'waiting');
  assert.equal(rows[0]?.waitingFor, 'the go file');
  assert.equal(rows[0]?.ageSeconds, 90);
  assert.equal(rows[1]?.state, 'unmatched');
  const text = formatStatus(rows);
  assert.match(text, /waiting 90s for the go file/);
  assert.match(text, /landing\/incoming\/x.txt/);
  assert.equal(formatStatus([]), 'no files tracked yet');
});
