// The loader's batch limits in the topology, and the quota check that keeps every table inside BigQuery's DML rate.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { parseTopology, TopologyError } from '../../../lib/config/index.js';

const text = await readFile('config/topology.yaml', 'utf8');
const withBatch = (batch: string, maxInstances = 5) =>
  text.replace(/batch: \{[^}]*\}/, `batch: ${batch}`).replace(/(loader:[\s\S]*?maxInstances:) \d+/, `$1 ${maxInstances}`);

test('the shipped topology: 2,000 files, 10 GiB and 10 s between commits of one instance', () => {
  assert.deepEqual(parseTopology(text).batch, { maxFiles: 2000, maxBytes: 10 * 1024 ** 3, commitIntervalSeconds: 10 });
});

test('a commit interval too short for the loader instances is refused, naming the least that keeps both quotas', () => {
  // 5 instances: 4 s would keep 25 DML per 10 s, but two load jobs a commit need 8.64 s to stay within 100,000 a day.
  assert.throws(() => parseTopology(withBatch('{ maxFiles: 100, maxBytes: 1000, commitIntervalSeconds: 8 }')), (error: unknown) => {
    assert.ok(error instanceof TopologyError);
    assert.match(error.message, /commitIntervalSeconds must be at least 8\.64 with maxInstances 5/);
    return true;
  });
  assert.equal(parseTopology(withBatch('{ maxFiles: 100, maxBytes: 1000, commitIntervalSeconds: 8.64 }')).batch.commitIntervalSeconds, 8.64);
  // One instance: the load jobs ask 1.73 s, the DML 0.8 s.
  assert.throws(() => parseTopology(withBatch('{ maxFiles: 100, maxBytes: 1000, commitIntervalSeconds: 1.5 }', 1)), /at least 1\.73 with maxInstances 1/);
});

test('more files than one load job takes is refused', () => {
  assert.throws(() => parseTopology(withBatch('{ maxFiles: 10001, maxBytes: 1000, commitIntervalSeconds: 10 }')), /maxFiles must be at most 10000/);
});

test('a parsed topology written back out (the local stack writes its copy so) keeps its batch limits', () => {
  const parsed = parseTopology(withBatch('{ maxFiles: 7, maxBytes: 1000, commitIntervalSeconds: 9 }'));
  assert.deepEqual(parseTopology(stringify(parsed)).batch, { maxFiles: 7, maxBytes: 1000, commitIntervalSeconds: 9 });
});
