// The quota gate's bill for a known sequence: jobs by kind, child jobs, DML per table, bytes by BigQuery's rules.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { MIN_BILLED_BYTES } from '../../../emulators/quota-gate/index.js';
import { PROJECT, client, failure, loadConfig, newDataset, openGate, upload, useEmulators } from './gate-harness.js';

const bench = useEmulators();
const MIB = 1024 * 1024;

test('the bill counts jobs, child jobs, DML and bytes (10 MB minimums, columns read, UPDATE adds its table) for a known sequence', async () => {
  const b = bench();
  const dataset = await newDataset(b);
  const big = `\`${PROJECT}.${dataset}.big\``;
  const small = `\`${PROJECT}.${dataset}.small\``;
  // Set up behind the gate: s holds 11,000 × (2 + 1,000) bytes, n 11,000 × 8; small.k 3 + 4 + 0 (NULL), small.v 3 × 8.
  await b.direct.query(`CREATE TABLE ${big} AS SELECT REPEAT('x', 1000) AS s, n FROM UNNEST(GENERATE_ARRAY(1, 11000)) AS n`);
  await b.direct.query(`CREATE TABLE ${small} (k STRING, v INT64); INSERT INTO ${small} (k, v) VALUES ('a', 1), ('bb', 2), (NULL, 3)`);
  const gate = await openGate(b);
  try {
    const bq = client(gate.url);
    await bq.query(`SELECT n FROM ${big}`);
    await bq.query(`SELECT s FROM ${big}`);
    await bq.query(`SELECT x.n, y.k FROM ${big} AS x JOIN ${small} AS y ON x.n = y.v`);
    const script = `BEGIN TRANSACTION;\nUPDATE ${small} SET v = v + 1 WHERE k = 'a';\nINSERT INTO ${small} (k, v) VALUES ('c', 4);\nCOMMIT TRANSACTION;`;
    const [job] = await bq.createQueryJob({ query: script, jobId: `script_${randomUUID().replace(/-/g, '')}` });
    await job.getQueryResults();
    await failure(bq.query(`SELECT nope FROM \`${PROJECT}.${dataset}.missing\``));
    await bq.query('SELECT 1 AS one');
    const file = await upload(b, `bill/${randomUUID()}.csv`, 'a,n\nx,1\n');
    await bq.createJob({ jobId: `load_${randomUUID().replace(/-/g, '')}`, configuration: loadConfig(dataset, 'loaded', [file]) } as never);

    const bill = gate.bill();
    assert.deepEqual(bill.jobs, { load: 1, query: 6, copy: 0, extract: 0 });
    assert.deepEqual(bill.failedJobs, { load: 0, query: 1, copy: 0, extract: 0 });
    assert.equal(bill.childJobs, 4);
    assert.deepEqual(bill.dml, {
      [`${PROJECT}:${dataset}.small`]: { statements: 2, byKind: { insert: 1, update: 1, delete: 0, merge: 0, truncate: 0 }, peakPer10s: 2 },
    });
    const s = 11_000 * 1_002;
    const charges = bill.queries.map((q) => [q.bytesProcessed, q.bytesBilled]);
    assert.deepEqual(charges, [
      [88_000, MIN_BILLED_BYTES], // one INT64 column, under the 10 MB minimum
      [s, 11 * MIB], // 11,022,000 bytes, rounded up to the MB
      [88_000 + 7 + 24, 2 * MIN_BILLED_BYTES], // two tables referenced: 10 MB each
      [(7 + 24) * 2, 2 * MIN_BILLED_BYTES], // UPDATE: q (k, v) + t (the whole table); INSERT: its table's minimum; BEGIN/COMMIT free
      [0, 0], // failed: nothing billed
      [0, 0], // no table referenced
    ]);
    assert.deepEqual(bill.queries[3]!.statements.map((st) => [st.kind, st.bytesBilled]), [['transaction', 0], ['update', MIN_BILLED_BYTES], ['insert', MIN_BILLED_BYTES], ['transaction', 0]]);
    // Each statement names the tables it references, read or written: a bench picks its queries out by them.
    assert.deepEqual(bill.queries[2]!.statements[0]!.tables, [`${PROJECT}:${dataset}.big`, `${PROJECT}:${dataset}.small`]);
    assert.deepEqual(bill.queries[3]!.statements.map((st) => st.tables), [[], [`${PROJECT}:${dataset}.small`], [`${PROJECT}:${dataset}.small`], []]);
    assert.equal(bill.bytesBilled, (10 + 11 + 20 + 20) * MIB);
    assert.equal(bill.apiCalls['jobs.query'], 5);
    assert.equal(bill.apiCalls['jobs.insert'], 2);
    assert.deepEqual(bill.quotaErrors, {});
    // GET /bill answers the same bill; reset() starts a new one.
    const served = (await (await fetch(`${gate.url}/bill`)).json()) as typeof bill;
    assert.deepEqual(served, bill);
    gate.reset();
    assert.equal(gate.bill().bytesBilled, 0);
    assert.deepEqual(gate.bill().jobs, { load: 0, query: 0, copy: 0, extract: 0 });
  } finally {
    await gate.stop();
  }
});
