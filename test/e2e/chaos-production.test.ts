// Chaos on the topology's own clocks (delivery back-off, claim lease, sweep every minute), nothing shortened: the burst
// of test/e2e/burst.ts under SIGKILLs, then a stream of it with the loader held down for two minutes. Every row once,
// every object in one place, no file taken from a live loader, every file settled within 60 s of the loader's return.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertEveryFileOnce, killRepeatedly, uploadBurst, waitSettled, workload } from './burst.js';
import { startE2E, type E2E } from './harness.js';

const KILLS = 8;
const OUTAGE_MS = 120_000;
/** The goal: no file waits longer than the outage plus this. */
const AFTER_RETURN_MS = 60_000;

let e2e: E2E;

before(async () => {
  // The topology as it is: 26 attempts at 1 → 30 s back-off, a 60 s lease renewed while a load runs, a sweep a minute.
  e2e = await startE2E({ functions: ['matcher', 'loader', 'sweep'], leaseMs: 'topology' });
});

after(async () => {
  await e2e?.stop();
});

/** A loader that finished a round whose claim another had taken: a file was re-driven while a live loader held it. */
async function claimsLost(): Promise<string[]> {
  return (await readFile(e2e.stack.logPath('loader'), 'utf8')).split('\n').filter((l) => l.includes('"claim_lost"'));
}

test('on production clocks, a burst under SIGKILLs of the matcher, loader and relay: every file once, none taken from a live loader', { timeout: 600_000 }, async (t) => {
  const burst = workload('2027');
  const uploads = uploadBurst(e2e, burst, { perStep: 6, gapMs: 150 });
  const lastKill = await killRepeatedly(e2e, KILLS);
  const uploaded = await uploads;
  await waitSettled(e2e, burst, () => lastKill + 90_000, 'within 90 s of the last kill');
  t.diagnostic(`settled ${((Date.now() - lastKill) / 1000).toFixed(1)} s after the last kill`);
  await assertEveryFileOnce(e2e, burst, uploaded);
  assert.deepEqual(await claimsLost(), [], 'no round finished by a loader that had lost its claim');
});

test('the loader held down for two minutes in a stream of uploads: every file settles within 60 s of its return', { timeout: 900_000 }, async (t) => {
  const burst = workload('2028');
  const uploads = uploadBurst(e2e, burst, { perStep: 1, gapMs: 1_100 });
  await sleep(30_000);
  e2e.stack.kill('loader', 'SIGKILL');
  const downAt = Date.now();
  await sleep(OUTAGE_MS);
  await e2e.stack.restart('loader');
  const backAt = Date.now();
  const uploaded = await uploads;
  const lastUpload = Math.max(...uploaded.map((u) => u.at));
  const settledAt = await waitSettled(e2e, burst, () => Math.max(backAt, lastUpload) + AFTER_RETURN_MS, `within ${AFTER_RETURN_MS / 1000} s of the loader's return`);
  // Each file against its own clock: the later of the loader's return and its upload.
  const landedAt = new Map(uploaded.map((u) => [u.name.replace(e2e.stack.topology.buckets.landing.prefix, ''), u.at]));
  const late = [...settledAt].map(([path, at]) => ({ path, waited: at - Math.max(backAt, landedAt.get(path) ?? 0) })).filter((f) => f.waited > AFTER_RETURN_MS);
  assert.deepEqual(late, [], 'no file waited longer than the outage plus 60 s');
  const beyond = Math.max(...[...settledAt].map(([path, at]) => at - Math.max(backAt, landedAt.get(path) ?? 0)));
  t.diagnostic(`down ${((backAt - downAt) / 1000).toFixed(0)} s; the last file settled ${(beyond / 1000).toFixed(1)} s after the loader's return (or its own upload)`);
  await assertEveryFileOnce(e2e, burst, uploaded);
  assert.deepEqual(await claimsLost(), [], 'no round finished by a loader that had lost its claim');
});
