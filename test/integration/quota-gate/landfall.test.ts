// landfall's BigQuery warehouse through the quota gate: what one file load costs, and a DML rate limit it must survive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransientError } from '../../../lib/errors.js';
import { loadText, mappingOf } from '../../contract/warehouse-contract.js';
import { newBigQueryHarness } from '../bigquery/harness.js';
import { PROJECT, client, openGate, useEmulators } from './gate-harness.js';

const bench = useEmulators();

test('one file through the warehouse: one load job, one commit script of five child jobs, one INSERT per table, no quota error', async () => {
  const b = bench();
  const gate = await openGate(b);
  const h = await newBigQueryHarness({ bq: client(gate.url), storage: b.storage });
  try {
    gate.reset();
    const report = await loadText(h, 'orders_1.csv', 'id,v\n1,a\n2,b\n', mappingOf('orders'));
    assert.equal(report.outcome.status, 'loaded', report.outcome.error ?? '');
    const bill = gate.bill();
    assert.equal(bill.jobs.load, 1);
    // BEGIN, INSERT rows, INSERT load_metadata, COMMIT, DROP staging.
    assert.equal(bill.childJobs, 5);
    const dataset = Object.keys(bill.dml)[0]!.split(':')[1]!.split('.')[0]!;
    assert.deepEqual(Object.fromEntries(Object.entries(bill.dml).map(([table, d]) => [table, d.byKind.insert])), {
      [`${PROJECT}:${dataset}.orders`]: 1,
      [`${PROJECT}:${dataset}.load_metadata`]: 1,
    });
    assert.deepEqual(bill.quotaErrors, {});
    assert.deepEqual((await h.rows('orders'))?.map((r) => r.id), ['1', '2']);
  } finally {
    await h.close();
    await gate.stop();
  }
});

test('a commit over the DML rate fails as transient (the message is retried) and changes nothing; the retry loads the file', async () => {
  const b = bench();
  const gate = await openGate(b, { limits: { dmlStatementsPerTablePer10s: 1 } });
  const h = await newBigQueryHarness({ bq: client(gate.url), storage: b.storage });
  try {
    assert.equal((await loadText(h, 'orders_1.csv', 'id,v\n1,a\n', mappingOf('orders'))).outcome.status, 'loaded');
    await assert.rejects(loadText(h, 'orders_2.csv', 'id,v\n2,b\n', mappingOf('orders')), (error: unknown) => {
      assert.ok(error instanceof TransientError, String(error));
      assert.match(error.message, /Exceeded rate limits: Your table exceeded quota for table dml insert operations/);
      return true;
    });
    assert.deepEqual((await h.rows('orders'))?.map((r) => r.id), ['1']);
    assert.equal(gate.bill().quotaErrorsByLimit.dmlStatementsPerTablePer10s, 1);
    // Pub/Sub redelivers later; a new window (reset, rather than a 10 s wait) lets the same file through.
    gate.reset();
    assert.equal((await loadText(h, 'orders_2.csv', 'id,v\n2,b\n', mappingOf('orders'))).outcome.status, 'loaded');
    assert.deepEqual((await h.rows('orders'))?.map((r) => r.id), ['1', '2']);
  } finally {
    await h.close();
    await gate.stop();
  }
});
