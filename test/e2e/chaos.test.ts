// Chaos on the real local stack, clocks shortened: a burst of 138 uploads (test/e2e/burst.ts) while the matcher and the
// loader are SIGKILLed and restarted eight times and the push relay once. Then every row is in once per file, every
// object is in exactly one of archive / failed / landing, and the loaded load_metadata rows are the good files.
// chaos-production.test.ts runs the same burst on the topology's own clocks.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { loadTopology } from '../../lib/config/index.js';
import { assertEveryFileOnce, killRepeatedly, uploadBurst, waitSettled, workload } from './burst.js';
import { startE2E, type E2E } from './harness.js';

/** How long after the last kill everything must have settled: the test's stated bound. */
const SETTLE_BOUND_MS = 180_000;
const KILLS = 8;

let e2e: E2E;

before(async () => {
  const base = await loadTopology('config/topology.yaml');
  e2e = await startE2E({
    functions: ['matcher', 'loader', 'sweep'],
    leaseMs: 5_000,
    // The sweep every 3 s here (every minute in production), a round ready 3 s re-driven, a back-off of at most 3 s:
    // files whose messages ran out of attempts are back soon.
    topology: { ...base, delivery: { ...base.delivery, maximumBackoffSeconds: 3 }, sweep: { ...base.sweep, localIntervalSeconds: 3, readyAfterSeconds: 3 } },
  });
});

after(async () => {
  await e2e?.stop();
});

test('a burst under repeated SIGKILLs of the matcher and loader and a relay restart: every file once, every object in one place', { timeout: 900_000 }, async (t) => {
  const burst = workload();
  const uploads = uploadBurst(e2e, burst, { perStep: 6, gapMs: 150 });

  const lastKill = await killRepeatedly(e2e, KILLS);
  const uploaded = await uploads;
  await waitSettled(e2e, burst, () => lastKill + SETTLE_BOUND_MS, `within ${SETTLE_BOUND_MS} ms of the last kill`);
  t.diagnostic(`settled ${((Date.now() - lastKill) / 1000).toFixed(1)} s after the last kill`);
  await assertEveryFileOnce(e2e, burst, uploaded);
  // The loads went through the group commit: commits took several files at once, and kills landed among them.
  const commits = (await readFile(e2e.stack.logPath('loader'), 'utf8')).split('\n').filter((l) => l.includes('"commit_started"')).map((l) => Number(JSON.parse(l.slice(l.indexOf('{'))).files));
  t.diagnostic(`${commits.length} commits, up to ${Math.max(...commits)} files each`);
  assert.ok(commits.some((files) => files > 1), 'some commit took more than one file');
});
