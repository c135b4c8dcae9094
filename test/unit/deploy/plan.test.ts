// The orchestration plan: a snapshot of the repo's plan (update with UPDATE_PLAN_SNAPSHOT=1) and no secret values.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { planFor } from '../../../lib/cli/commands/plan.js';
import { SECRET_PLACEHOLDER } from '../../../lib/deploy/index.js';

const SNAPSHOT = 'test/fixtures/plan/plan.json';

test('the plan matches its snapshot (regenerate: UPDATE_PLAN_SNAPSHOT=1)', async () => {
  const { plan } = await planFor({}, { source: '.' });
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  if (process.env.UPDATE_PLAN_SNAPSHOT === '1') {
    await mkdir('test/fixtures/plan', { recursive: true });
    await writeFile(SNAPSHOT, text);
  }
  assert.equal(text, await readFile(SNAPSHOT, 'utf8'), 'the plan changed: if on purpose, regenerate with UPDATE_PLAN_SNAPSHOT=1');
});

test('the plan covers tables, topics, subscriptions with dead-letter, functions, schedules and alerts', async () => {
  const { plan, topology } = await planFor({}, { source: '.' });
  const p = plan as Record<string, any>;
  assert.ok(p.tables.length > 0 && p.tables.every((t: any) => t.pattern && t.table && t.definedAt));
  assert.deepEqual(p.topics, topology.topics);
  const pushed = p.subscriptions.filter((s: any) => s.deadLetter);
  assert.equal(pushed.length, Object.keys(topology.functions).length, 'one dead-lettering subscription per function');
  for (const s of pushed) assert.equal(s.deadLetter.maxDeliveryAttempts, topology.delivery.maxDeliveryAttempts);
  assert.deepEqual(p.functions.map((f: any) => f.name), Object.values(topology.functions).map((f) => f.name));
  assert.equal(p.schedules.length, topology.schedules.length + 1, "the dbt schedules and the sweep's tick");
  assert.equal(p.alerts.length, 4, 'dead letters, failed loads, overdue files, overdue batches');
});

test('no secret value reaches the plan, whatever the environment holds', async () => {
  const secrets = {
    DBT_PROFILE: 'password: hunter2-profile',
    GOOGLE_APPLICATION_CREDENTIALS: '/home/me/key-4f2a9c.json',
    BQ_PASSWORD: 's3cr3t-value-91b',
  };
  const { plan } = await planFor({ ...secrets }, { source: '.' });
  const text = JSON.stringify(plan);
  for (const value of Object.values(secrets)) assert.ok(!text.includes(value), `the plan holds a secret value: ${value}`);
  const p = plan as Record<string, any>;
  assert.equal(p.dbt.profile.value, SECRET_PLACEHOLDER);
  // Any field named like a secret holds a secret's name or the placeholder, never anything else.
  const walk = (node: unknown, key = ''): void => {
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
    else if (/password|token|credential|private/i.test(key)) assert.fail(`plan field ${key} looks like a secret`);
  };
  walk(plan);
});
