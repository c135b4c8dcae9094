// Closing the warehouse writes its checkpoint off the event loop: a loader stays responsive while its idle file closes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';

const dir = await mkdtemp(join(tmpdir(), 'landfall-close-'));
after(() => rm(dir, { recursive: true, force: true }));

test('closing a file with a large WAL checkpoints it without holding the event loop, and keeps every row', async () => {
  const path = join(dir, 'close.duckdb');
  // The loader's way: a threshold high enough that no commit checkpoints, so the close has it all to write.
  const warehouse = await openDuckDbWarehouse(path, { checkpointThreshold: '1GB' });
  await warehouse.query('CREATE TABLE t (i BIGINT, s VARCHAR)');
  for (let k = 0; k < 20; k++) await warehouse.query(`INSERT INTO t SELECT i, md5(i::VARCHAR) FROM range(${k * 50_000}, ${(k + 1) * 50_000}) r(i)`);

  let last = performance.now();
  let longestGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
  }, 2);
  const started = performance.now();
  last = started;
  await warehouse.close();
  const closeMs = performance.now() - started;
  clearInterval(ticker);
  longestGapMs = Math.max(longestGapMs, performance.now() - last);

  assert.ok(closeMs > 100, `the close had a checkpoint worth measuring (${closeMs.toFixed(0)} ms)`);
  assert.ok(longestGapMs < closeMs / 2, `the event loop ran during the ${closeMs.toFixed(0)} ms close (longest gap ${longestGapMs.toFixed(0)} ms)`);
  const reopened = await openDuckDbWarehouse(path);
  try {
    assert.deepEqual(await reopened.query('SELECT count(*)::INT AS n FROM t'), [{ n: 1_000_000 }]);
  } finally {
    await reopened.close();
  }
});
