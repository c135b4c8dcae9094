// `landfall deploy` and terraform must deploy the same functions: flags vs. the committed tfvars and the HCL wiring.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { loadTopology } from '../../../lib/config/index.js';
import { deploySteps, functionDeployArgv, functionSpecs } from '../../../lib/deploy/index.js';

const PROJECT = 'acme-prod';

interface TfFunction {
  name: string;
  entry_point: string;
  trigger_topic: string;
  service_account: string;
  memory: string;
  timeout_seconds: number;
  max_instances: number;
  concurrency: number;
  cpu: string | null;
  retry: boolean;
  environment: Record<string, string>;
}

async function committedTfvars() {
  return JSON.parse(await readFile('terraform/topology.auto.tfvars.json', 'utf8')).topology as {
    region: string;
    runtime: string;
    functions: Record<string, TfFunction>;
    delivery: { ack_deadline_seconds: number; max_delivery_attempts: number; minimum_backoff_seconds: number; maximum_backoff_seconds: number };
    topics: Record<string, string>;
  };
}

function flags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of argv.filter((a) => a.startsWith('--'))) {
    const at = arg.indexOf('=');
    out.set(at < 0 ? arg.slice(2) : arg.slice(2, at), at < 0 ? 'true' : arg.slice(at + 1));
  }
  return out;
}

function envOf(flag: string): Record<string, string> {
  return Object.fromEntries(flag.split(',').map((pair) => pair.split('=') as [string, string]));
}

test('each gcloud functions deploy flag equals the value terraform gets for that function', async () => {
  const tf = await committedTfvars();
  const specs = functionSpecs(await loadTopology('config/topology.yaml', { project: PROJECT }));
  assert.deepEqual(specs.map((s) => s.key).sort(), Object.keys(tf.functions).sort());
  for (const spec of specs) {
    const argv = functionDeployArgv(spec, { project: PROJECT, source: 'gs://src/landfall.zip' });
    const f = flags(argv);
    const want = tf.functions[spec.key]!;
    assert.equal(argv[3], want.name);
    assert.equal(f.get('gen2'), 'true');
    assert.equal(f.get('region'), tf.region);
    assert.equal(f.get('runtime'), tf.runtime);
    assert.equal(f.get('entry-point'), want.entry_point);
    assert.equal(f.get('trigger-topic'), want.trigger_topic);
    assert.equal(f.get('service-account'), `${want.service_account}@${PROJECT}.iam.gserviceaccount.com`);
    assert.equal(f.get('trigger-service-account'), f.get('service-account'));
    assert.equal(f.get('retry'), String(want.retry));
    assert.equal(f.get('memory'), want.memory);
    assert.equal(f.get('timeout'), `${want.timeout_seconds}s`);
    assert.equal(f.get('max-instances'), String(want.max_instances));
    assert.equal(f.get('concurrency'), String(want.concurrency));
    assert.equal(f.get('cpu'), want.cpu ?? undefined);
    assert.equal(f.get('ingress-settings'), 'internal-only');
    assert.deepEqual(envOf(f.get('set-env-vars')!), { ...want.environment, GCP_PROJECT: PROJECT });
  }
});

test('functions.tf wires every tfvars field to the argument gcloud sets', async () => {
  const hcl = (await readFile('terraform/functions.tf', 'utf8')).replace(/[ \t]+/g, ' ');
  const wiring = [
    'for_each = local.topology.functions',
    'name = each.value.name',
    'runtime = local.topology.runtime',
    'entry_point = each.value.entry_point',
    'available_memory = each.value.memory',
    'timeout_seconds = each.value.timeout_seconds',
    'max_instance_count = each.value.max_instances',
    'max_instance_request_concurrency = each.value.concurrency',
    'available_cpu = each.value.cpu',
    'ACK_DEADLINE = local.delivery.ack_deadline_seconds',
    'service_account_email = google_service_account.sa[each.key].email',
    'ingress_settings = "ALLOW_INTERNAL_ONLY"',
    'environment_variables = merge(each.value.environment, { GCP_PROJECT = var.project })',
    'event_type = "google.cloud.pubsub.topic.v1.messagePublished"',
    'retry_policy = each.value.retry ? "RETRY_POLICY_RETRY" : "RETRY_POLICY_DO_NOT_RETRY"',
    'location = local.region',
    'if name == fn.trigger_topic',
    'MAX_ATTEMPTS = local.delivery.max_delivery_attempts',
    'MIN_BACKOFF = local.delivery.minimum_backoff_seconds',
    'MAX_BACKOFF = local.delivery.maximum_backoff_seconds',
  ];
  for (const line of wiring) assert.ok(hcl.includes(line), `functions.tf lacks: ${line}`);
  const iam = (await readFile('terraform/iam.tf', 'utf8')).replace(/[ \t]+/g, ' ');
  assert.ok(iam.includes('{ for key, fn in local.topology.functions : key => fn.service_account }'));
  assert.ok(!/roles\/(editor|owner)"/.test(iam), 'no project-wide editor or owner');
});

test('deploy applies the same dead-letter policy to each trigger subscription as terraform', async () => {
  const tf = await committedTfvars();
  const steps = deploySteps(await loadTopology('config/topology.yaml', { project: PROJECT }), { project: PROJECT, source: '.' });
  const updates = steps.filter((s) => s.argv.slice(0, 4).join(' ') === 'gcloud pubsub subscriptions update');
  assert.equal(updates.length, Object.keys(tf.functions).length);
  for (const step of updates) {
    const f = flags(step.argv);
    assert.equal(f.get('dead-letter-topic'), `projects/${PROJECT}/topics/${tf.topics.dead_letter}`);
    assert.equal(f.get('max-delivery-attempts'), String(tf.delivery.max_delivery_attempts));
    assert.equal(f.get('ack-deadline'), String(tf.delivery.ack_deadline_seconds));
    assert.equal(f.get('min-retry-delay'), `${tf.delivery.minimum_backoff_seconds}s`);
    assert.equal(f.get('max-retry-delay'), `${tf.delivery.maximum_backoff_seconds}s`);
  }
});

test('the plan shows the functions, topics and delivery policy terraform deploys', async () => {
  const { planFor } = await import('../../../lib/cli/commands/plan.js');
  const tf = await committedTfvars();
  const { plan } = await planFor({}, { source: '.' });
  const p = plan as { functions: { name: string; entryPoint: string; memory: string; timeoutSeconds: number; maxInstances: number; serviceAccount: string; trigger: { topic: string; retry: boolean } }[]; subscriptions: { deadLetter?: { topic: string; maxDeliveryAttempts: number } }[]; region: string };
  assert.equal(p.region, tf.region);
  assert.deepEqual(
    p.functions.map((f) => [f.name, f.entryPoint, f.trigger.topic, f.memory, f.timeoutSeconds, f.maxInstances, f.serviceAccount, f.trigger.retry]),
    Object.values(tf.functions).map((f) => [f.name, f.entry_point, f.trigger_topic, f.memory, f.timeout_seconds, f.max_instances, f.service_account, f.retry]),
  );
  for (const s of p.subscriptions.filter((x) => x.deadLetter)) {
    assert.deepEqual(s.deadLetter, { topic: tf.topics.dead_letter, maxDeliveryAttempts: tf.delivery.max_delivery_attempts });
  }
});
