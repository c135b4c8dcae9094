// The BigQuery promotion on goccy/bigquery-emulator through the quota gate (which makes ALTER TABLE ADD/DROP COLUMN real).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { BigQuery } from '@google-cloud/bigquery';
import { bigqueryPromote, ident, literal } from '../../../lib/adapters/bigquery/index.js';
import { promotionOf } from '../../../lib/promote/index.js';
import { runPromoteContract } from '../../contract/promote-contract.js';
import type { PromoteHarness } from '../../contract/promote-contract.js';
import { loadText, mappingOf } from '../../contract/warehouse-contract.js';
import { PROJECT } from './stack.js';
import { newBigQueryHarness, useBigQueryStack } from './harness.js';
import { runCli } from '../../e2e/harness.js';
import type { CliResult } from '../../e2e/harness.js';

const stack = useBigQueryStack();

/** The harness over a dataset, promoting with `bq` (the gate's client, or one that fails on purpose). */
async function newHarness(bq?: BigQuery): Promise<PromoteHarness & { dataset: string }> {
  const h = await newBigQueryHarness(stack.clients());
  const client = stack.clients().bq;
  return {
    ...h,
    promote: bigqueryPromote({ bq: bq ?? client, project: PROJECT, dataset: h.dataset }),
    setExtra: async (table, id, json) => {
      await client.query(`UPDATE ${[PROJECT, h.dataset, table].map(ident).join('.')} SET \`_extra\` = PARSE_JSON(${literal(json)}) WHERE id = ${literal(id)}`);
    },
    plainTable: async (table) => {
      await client.dataset(h.dataset).table(table).create({ schema: { fields: [{ name: 'id', type: 'STRING' }, { name: 'name', type: 'STRING' }] } });
    },
  };
}

runPromoteContract({
  name: 'BigQuery (emulator)',
  newHarness: () => newHarness(),
  types: { string: 'STRING', integer: 'INT64', date: 'DATE' },
  // Names BigQuery takes as columns whose keys GoogleSQL writes bare in a JSONPath (quoted ones: the test below).
  oddFields: ['unit price', 'Ünïcode-名: net'],
});

async function withHarness(body: (h: Awaited<ReturnType<typeof newHarness>>) => Promise<void>, bq?: BigQuery): Promise<void> {
  const h = await newHarness(bq);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

// On BigQuery the key also leaves _extra; the emulator's JSON_REMOVE reads no quoted key (gaps doc, 26), so that is not asserted here.
test('a key whose JSONPath must be quoted (`$."net € #1"`) fills its column', () =>
  withHarness(async (h) => {
    await loadText(h, 't_a.csv', 'id\n0\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,net € #1\n1,v\n', mappingOf('t'));
    assert.equal((await h.promote(promotionOf('t', 'net € #1'))).rows, 1);
    const row = (await h.rows('t'))?.find((r) => r.id === '1');
    assert.equal(row?.['net € #1'], 'v');
  }));

/** The gate's client, except that the job filling the column fails as BigQuery would fail it (after the column was added). */
function failingFill(bq: BigQuery): BigQuery {
  return new Proxy(bq, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key !== 'createJob' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (options: { configuration?: { query?: { query?: string } } }) => {
        if (options.configuration?.query?.query?.startsWith('BEGIN TRANSACTION')) {
          return Promise.reject(Object.assign(new Error('Transaction is aborted due to concurrent update'), { code: 400, errors: [{ reason: 'invalidQuery' }] }));
        }
        return (value as (o: unknown) => unknown).call(target, options);
      };
    },
  });
}

test('when filling the new column fails, the column is dropped again and nothing has changed', () =>
  withHarness(async (h) => {
    await loadText(h, 't_a.csv', 'id\n0\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,venue\n1,XETR\n', mappingOf('t'));
    const before = { columns: await h.columns('t'), rows: await h.rows('t') };
    await assert.rejects(h.promote(promotionOf('t', 'venue')), /filling the new column failed \(BigQuery: Transaction is aborted.*\); the column was dropped again: nothing changed/);
    assert.deepEqual({ columns: await h.columns('t'), rows: await h.rows('t') }, before);
  }, failingFill(stack.clients().bq)));

test('a warehouse kept open (a warm loader) puts the field into its column once it is promoted, in a batch too', () =>
  withHarness(async (h) => {
    const batch = async (names: string[], content: string) => {
      const jobs = await Promise.all(names.map(async (name, i) => ({ name, source: await h.source(name, content.replace('#', String(i))) })));
      return h.warehouse.loadBatch(
        jobs.map(({ source }) => ({
          table: 't', loadId: randomUUID(), source, header: content.split('\n')[0]!.split(','), delimiter: ',', compressed: false,
          replace: { force: false, reupload: 'replace' as const }, startedAt: new Date(),
        })),
      );
    };
    await loadText(h, 't_a.csv', 'id\n0\n', mappingOf('t'));
    assert.deepEqual((await batch(['t_1.csv', 't_2.csv'], 'id,venue\n1#,XETR\n')).map((r) => r.status), ['fulfilled', 'fulfilled']);
    await h.promote(promotionOf('t', 'venue'));
    assert.deepEqual((await batch(['t_3.csv', 't_4.csv'], 'id,venue\n3#,XPAR\n')).map((r) => r.status), ['fulfilled', 'fulfilled']);
    const rows = (await h.rows('t')) ?? [];
    assert.deepEqual(rows.filter((r) => r.id?.startsWith('3')).map((r) => [r.venue, r._extra]), [['XPAR', null], ['XPAR', null]]);
  }));

test('`landfall promote` with LOADER_BACKEND=bigquery promotes on the dataset its settings name', () =>
  withHarness(async (h) => {
    await loadText(h, 't_a.csv', 'id\n0\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,qty\n1,12\n', mappingOf('t'));
    const env = { LOADER_BACKEND: 'bigquery', GCP_PROJECT: PROJECT, BQ_DATASET: h.dataset, BIGQUERY_EMULATOR_HOST: stack.gateUrl() };
    const run = await landfall(['promote', '--type', 'INT64', 't', 'qty'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 't.qty: new INT64 column, 1 row(s) moved into it from _extra (key "qty")\n');
    assert.deepEqual((await h.rows('t'))?.map((r) => [r.id, r.qty, r._extra]), [['0', null, null], ['1', '12', null]]);
    const missing = await landfall(['promote', 't', 'qty'], { ...env, BQ_DATASET: '' });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /LOADER_BACKEND=bigquery needs BQ_DATASET/);
  }));

/** The real CLI process (`lib/cli/bin.js`) with only the environment a test gives it. */
function landfall(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', METADATA_SERVER_DETECTION: 'none', ...env });
}
