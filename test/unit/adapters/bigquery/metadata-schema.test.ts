// load_metadata has one definition: the constants the loader creates it from, and terraform's generated copy of them.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  METADATA_CLUSTERING,
  METADATA_COLUMNS,
  METADATA_FIELDS,
  METADATA_LAYOUT_LABEL,
  METADATA_TERRAFORM_PATH,
  renderMetadataTerraform,
} from '../../../../lib/adapters/bigquery/metadata-schema.js';

test('the committed terraform locals are what metadata-schema.ts generates (regenerate: UPDATE_TERRAFORM_LOCALS=1)', async () => {
  const text = renderMetadataTerraform();
  if (process.env.UPDATE_TERRAFORM_LOCALS === '1') await writeFile(METADATA_TERRAFORM_PATH, text);
  assert.equal(await readFile(METADATA_TERRAFORM_PATH, 'utf8'), text, 'the load_metadata definition changed: if on purpose, regenerate');
});

test("terraform's load_metadata takes its schema and clustering from the generated locals, states neither itself, and sets no layout label", async () => {
  const hcl = await readFile('terraform/bigquery.tf', 'utf8');
  const block = /resource "google_bigquery_table" "load_metadata" \{([\s\S]*?)\n\}/.exec(hcl)?.[1] ?? '';
  assert.match(block, /^\s*clustering\s*=\s*local\.load_metadata\.clustering$/m);
  // The layout label means "rows rewritten under this clustering": only the loader's migration may set it.
  assert.doesNotMatch(block, /^\s*labels\s*=|landfall_metadata_layout/m);
  assert.match(block, /^\s*schema\s*=\s*jsonencode\(local\.load_metadata\.schema\)$/m);
  assert.doesNotMatch(block, /"(STRING|INT64|TIMESTAMP)"|"table_name"/, 'a column or clustering field written in the HCL itself');
  const generated = JSON.parse(await readFile(METADATA_TERRAFORM_PATH, 'utf8')) as { locals: { load_metadata: Record<string, unknown> } };
  assert.deepEqual(generated.locals.load_metadata, {
    schema: METADATA_FIELDS,
    clustering: ['table_name', 'path'],
  });
});

test('load_metadata is clustered on the lookup columns (table, then path), which BigQuery can cluster on', () => {
  assert.deepEqual([...METADATA_CLUSTERING], ['table_name', 'path']);
  for (const name of METADATA_CLUSTERING) {
    const field = METADATA_FIELDS.find((f) => f.name === name);
    // Clustering columns: top-level, not repeated, of a clusterable type; at most four.
    assert.equal(field?.type, 'STRING', `${name} is a STRING column of the table`);
  }
  assert.ok(METADATA_CLUSTERING.length <= 4);
  // Label keys and values: lowercase letters, digits, `_` and `-`, at most 63 characters.
  for (const part of [METADATA_LAYOUT_LABEL.key, METADATA_LAYOUT_LABEL.value]) assert.match(part, /^[a-z][a-z0-9_-]{0,62}$/);
});

test("the columns stay the seed's six first, then what operators need, path last (an added column on older tables)", () => {
  assert.deepEqual(METADATA_COLUMNS.slice(0, 6), ['load_id', 'filename', 'table_name', 'row_count', 'started_at', 'completed_at']);
  assert.equal(METADATA_COLUMNS.at(-1), 'path');
  assert.equal(METADATA_FIELDS.at(-1)?.mode, 'NULLABLE');
});
