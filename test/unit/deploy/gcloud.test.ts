// Deploy steps: shell rendering, placeholder substitution and sequential running.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadTopology } from '../../../lib/config/index.js';
import { deploySteps, envVarsFlag, renderScript, runSteps, shellQuote, substitute } from '../../../lib/deploy/index.js';

test('shellQuote leaves plain flags bare, keeps placeholders expandable and neutralises everything else', () => {
  assert.equal(shellQuote('--memory=512Mi'), '--memory=512Mi');
  assert.equal(shellQuote('${SUBSCRIPTION_LOADER}'), '"${SUBSCRIPTION_LOADER}"');
  assert.equal(shellQuote("--format=value(x) 'y'"), `'--format=value(x) '\\''y'\\'''`);
  assert.equal(shellQuote('$(rm -rf /)'), `'$(rm -rf /)'`);
});

test('envVarsFlag sorts pairs and switches delimiter when a value holds a comma', () => {
  assert.equal(envVarsFlag({ B: '2', A: '1' }), 'A=1,B=2');
  assert.equal(envVarsFlag({ A: 'x,y', B: '2' }), '^@^A=x,y@B=2');
});

test('substitute fills captured values and refuses a name nothing captured', () => {
  assert.equal(substitute('a-${X}-b', new Map([['X', '1']])), 'a-1-b');
  assert.throws(() => substitute('${Y}', new Map()), /before any step captured it/);
});

test('the rendered dry-run script is valid bash', async () => {
  const steps = deploySteps(await loadTopology('config/topology.yaml', { project: 'p-1' }), { project: 'p-1', source: '.' });
  const script = renderScript(steps);
  await promisify(execFile)('bash', ['-n', '-c', script]);
  assert.match(script, /^gcloud functions deploy landfall-loader --gen2 /m);
});

test('runSteps runs in order, feeds captures forward and stops at the first failure', async () => {
  const steps = deploySteps(await loadTopology('config/topology.yaml', { project: 'p-1' }), { project: 'p-1', source: '.' });
  // A recording runner stands in for gcloud, which talks to live GCP APIs that cannot run here.
  const seen: string[][] = [];
  const outputs: Record<string, string> = { projects: '123', functions: 'projects/p-1/locations/r/triggers/t', eventarc: 'projects/p-1/subscriptions/s' };
  await runSteps(steps, async (argv, capture) => {
    seen.push([...argv]);
    return capture ? (outputs[argv[1]!] ?? '') : '';
  }, () => {});
  assert.equal(seen.length, steps.length);
  const update = seen.find((a) => a.slice(0, 4).join(' ') === 'gcloud pubsub subscriptions update');
  assert.equal(update?.[4], 'projects/p-1/subscriptions/s');
  assert.ok(seen.flat().some((a) => a.includes('service-123@gcp-sa-pubsub')));

  let calls = 0;
  await assert.rejects(
    runSteps(steps, async () => {
      calls++;
      throw new Error('boom');
    }, () => {}),
    /boom/,
  );
  assert.equal(calls, 1);
});
