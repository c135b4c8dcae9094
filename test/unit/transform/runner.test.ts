// What every runner passes to dbt, and the bounded log excerpt kept with each run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbtBuildArgs, logExcerpt } from '../../../lib/transform/index.js';

describe('dbtBuildArgs', () => {
  it('selects, passes the batch key as a string var, and names the target', () => {
    assert.deepEqual(dbtBuildArgs({ batch: 'daily', batchKey: '20240115', select: 'tag:daily +position_values' }, 'local'), [
      'build', '--select', 'tag:daily +position_values', '--vars', '{"batch_key":"20240115","batch":"daily"}', '--target', 'local',
    ]);
  });
});

describe('logExcerpt', () => {
  it('keeps a short log whole and bounds a long one, keeping its start and its end', () => {
    assert.equal(logExcerpt('short'), 'short');
    const long = `START${'x'.repeat(50_000)}END`;
    const excerpt = logExcerpt(long, 1000);
    assert.equal(excerpt.length, 1000);
    assert.ok(excerpt.startsWith('START'));
    assert.ok(excerpt.endsWith('END'));
    assert.match(excerpt, /output shortened/);
  });
});
