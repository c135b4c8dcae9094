// Durations in config (max_wait, expected_by) and the max_wait key of a table mapping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration, parseTableMappings } from '../../../lib/config/index.js';
import { assertProblems, problemsOf } from './helpers.js';

test('durations are a whole number and one unit: s, m, h or d', () => {
  assert.deepEqual(['45s', '30m', '6h', '2d', ' 6 h '].map(parseDuration), [45, 1800, 21_600, 172_800, 21_600]);
  for (const bad of ['', '0s', '6', 'h', '1.5h', '-1h', '6 hours', '1w']) assert.equal(parseDuration(bad), undefined, bad);
  assert.deepEqual([45, 1800, 21_600, 172_800, 90].map(formatDuration), ['45s', '30m', '6h', '2d', '90s']);
});

test('max_wait is read on a go_file mapping, and reported on a bad value or a mapping without go_file', () => {
  const go = 'go_file: { pattern: t_*.go, format: properties, row_count_key: n }';
  const [mapping] = parseTableMappings([{ path: 'ok.yaml', text: `t_*.csv:\n  table: raw_t\n  ${go}\n  max_wait: 30m\n` }]);
  assert.equal(mapping?.maxWaitSeconds, 1800);
  const text = `a_*.csv:\n  table: raw_a\n  go_file: { pattern: a_*.go, format: properties, row_count_key: n }\n  max_wait: soon\nb_*.csv:\n  table: raw_b\n  max_wait: 1h\n`;
  assertProblems(problemsOf(() => parseTableMappings([{ path: 'bad.yaml', text }])), [
    ['bad.yaml:4', 'max_wait must be a duration such as 45s, 30m, 6h or 2d, got "soon"'],
    ['bad.yaml:7', 'max_wait applies to go_file mappings only (how long a data file may wait for its go file)'],
  ]);
});
