// The committed terraform/topology.auto.tfvars.json must be exactly what the topology generates.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { loadTopology, parseTopology } from '../../../lib/config/index.js';
import { TFVARS_PATH, renderTfvars, topologyTfvars } from '../../../lib/deploy/index.js';

test('the committed tfvars equal what config/topology.yaml generates (regenerate: landfall plan --tfvars --write)', async () => {
  const committed = await readFile(TFVARS_PATH, 'utf8');
  assert.equal(committed, renderTfvars(await loadTopology('config/topology.yaml')));
});

test('the tfvars never carry the project: terraform.tfvars sets it per deployment', async () => {
  const topology = await loadTopology('config/topology.yaml');
  const text = renderTfvars(topology);
  assert.ok(!text.includes(topology.project), `tfvars mention the topology's project "${topology.project}"`);
  assert.ok(!('project' in topologyTfvars(topology).topology));
});

test('a change in the topology changes the tfvars (the comparison above can fail)', async () => {
  const text = await readFile('config/topology.yaml', 'utf8');
  const changed = parseTopology(text.replace('memory: 2Gi', 'memory: 4Gi'));
  assert.notEqual(renderTfvars(changed), renderTfvars(parseTopology(text)));
});

test('every terraform variable the tfvars set is declared with a description', async () => {
  const variables = await readFile('terraform/variables.tf', 'utf8');
  const declared = [...variables.matchAll(/variable "([a-z_]+)" \{([\s\S]*?)\n\}/g)];
  assert.ok(declared.length >= 5);
  for (const [, name, body] of declared) assert.match(body ?? '', /description\s*=/, `variable ${name} has no description`);
  const topology = await loadTopology('config/topology.yaml');
  for (const key of Object.keys(topologyTfvars(topology))) {
    assert.ok(declared.some(([, name]) => name === key), `tfvars set "${key}", which variables.tf does not declare`);
  }
});
