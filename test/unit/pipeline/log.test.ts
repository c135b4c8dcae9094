import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLogger } from '../../../lib/pipeline/index.js';

test('one JSON object per line, in the shape Cloud Logging reads: severity, message, event and the fields', () => {
  const lines: string[] = [];
  const log = jsonLogger({ component: 'loader', write: (line) => lines.push(line) });
  const fields = { table: 'raw_t', file: 'gs://landing/incoming/t_1.csv#7', generation: '7', loadId: 'a1b2', error: 't_1.csv line 3: bad' };
  log('ERROR', 'load_failed', fields);
  log('DEBUG', 'dropped');
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes('\n'));
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual({ ...entry, time: undefined }, { severity: 'ERROR', time: undefined, message: 'loader: load_failed', component: 'loader', event: 'load_failed', ...fields });
  assert.ok(!Number.isNaN(Date.parse(String(entry.time))));
});

test("a field cannot replace the line's own keys: the alert's event filter always sees the event", () => {
  const lines: string[] = [];
  jsonLogger({ component: 'dbt-trigger', write: (line) => lines.push(line) })('ERROR', 'event_malformed', { event: '{"x":1}', severity: 'INFO' });
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry.event, 'event_malformed');
  assert.equal(entry.severity, 'ERROR');
});
