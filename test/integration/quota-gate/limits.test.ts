// Each BigQuery limit the quota gate enforces, reached with a small limit, as the real Node client sees it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { PROJECT, client, failure, latch, loadConfig, newDataset, openGate, rows, upload, useEmulators } from './gate-harness.js';

const bench = useEmulators();
const unique = () => randomUUID().replace(/-/g, '').slice(0, 12);
const ref = (dataset: string, table: string) => `\`${PROJECT}.${dataset}.${table}\``;

test('load jobs per project per day: failed loads count, and the next load is created failed with quotaExceeded', async () => {
  const b = bench();
  const gate = await openGate(b, { limits: { loadJobsPerProjectPerDay: 2 } });
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const good = await upload(b, `loads/${unique()}.csv`, 'a,n\nx,1\n');
    const bad = await upload(b, `loads/${unique()}.csv`, 'a,n\nx,1\nbroken\n');
    await bq.createJob({ jobId: `l1_${unique()}`, configuration: loadConfig(dataset, 't1', [good]) } as never);
    assert.equal((await failure(bq.createJob({ jobId: `l2_${unique()}`, configuration: loadConfig(dataset, 't2', [bad]) } as never))).reason, 'invalid');
    const third = `l3_${unique()}`;
    const refused = await failure(bq.createJob({ jobId: third, configuration: loadConfig(dataset, 't3', [good]) } as never));
    assert.deepEqual({ code: refused.code, reason: refused.reason, location: refused.location }, { code: undefined, reason: 'quotaExceeded', location: 'load_job' });
    assert.match(refused.message, /^Quota exceeded: Your project exceeded quota for imports per project\./);
    const [metadata] = await bq.job(third).getMetadata();
    assert.equal(metadata.status.errorResult.reason, 'quotaExceeded');
    const [exists] = await b.direct.dataset(dataset).table('t3').exists();
    assert.equal(exists, false, 'the refused load did not run');
    const bill = gate.bill();
    assert.deepEqual([bill.jobs.load, bill.failedJobs.load, bill.quotaErrors], [3, 2, { quotaExceeded: 1 }]);
  } finally {
    await gate.stop();
  }
});

test('table operations per table per day: loads and query destinations count, DML does not, other tables are free', async () => {
  const b = bench();
  const gate = await openGate(b, { limits: { tableOperationsPerTablePerDay: 2 } });
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const file = await upload(b, `ops/${unique()}.csv`, 'a,n\nx,1\n');
    await bq.createJob({ jobId: `op1_${unique()}`, configuration: loadConfig(dataset, 't', [file]) } as never);
    const [job] = await bq.createQueryJob({ query: "SELECT 'q' AS a, 2 AS n", destination: b.direct.dataset(dataset).table('t'), writeDisposition: 'WRITE_APPEND' });
    await job.getQueryResults();
    await bq.query(`INSERT INTO ${ref(dataset, 't')} (a, n) VALUES ('dml', 3)`);
    const refused = await failure(bq.createJob({ jobId: `op3_${unique()}`, configuration: loadConfig(dataset, 't', [file]) } as never));
    assert.deepEqual({ reason: refused.reason, location: refused.location }, { reason: 'quotaExceeded', location: 'load_job_per_table.long' });
    assert.match(refused.message, /Your table exceeded quota for imports or query appends per table/);
    await bq.createJob({ jobId: `other_${unique()}`, configuration: loadConfig(dataset, 'other', [file]) } as never);
    assert.deepEqual((await rows(b, dataset, 't')).map((r) => r.a), ['dml', 'q', 'x']);
  } finally {
    await gate.stop();
  }
});

test('DML statements per table per 10 s: every statement of a script counts against its own table', async () => {
  const b = bench();
  const gate = await openGate(b, { limits: { dmlStatementsPerTablePer10s: 3 } });
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    await b.direct.query(`CREATE TABLE ${ref(dataset, 'a')} (a STRING, n INT64); CREATE TABLE ${ref(dataset, 'b')} (a STRING, n INT64)`);
    const script = [`INSERT INTO ${ref(dataset, 'a')} (a, n) VALUES ('s1', 1)`, `INSERT INTO \`${dataset}\`.a (a, n) VALUES ('s2', 2)`, `INSERT INTO ${dataset}.b (a, n) VALUES ('s3', 3)`];
    const [scriptJob] = await bq.createQueryJob({ query: `${script.join(';\n')};` });
    await scriptJob.getQueryResults();
    await bq.query(`UPDATE ${ref(dataset, 'a')} SET n = n + 10 WHERE a = 's1'`);
    // A fourth statement against table a within 10 s: through jobs.query, the call's own 400 jobRateLimitExceeded.
    const viaQuery = await failure(bq.query(`DELETE FROM ${ref(dataset, 'a')} WHERE TRUE`));
    assert.deepEqual({ code: viaQuery.code, reason: viaQuery.reason }, { code: 400, reason: 'jobRateLimitExceeded' });
    assert.match(viaQuery.message, /^Job exceeded rate limits: Your table exceeded quota for table dml insert operations/);
    // Through jobs.insert the job is created and fails with rateLimitExceeded.
    const viaJob = await failure(bq.createQueryJob({ query: `MERGE ${ref(dataset, 'a')} T USING ${ref(dataset, 'b')} S ON T.a = S.a WHEN NOT MATCHED THEN INSERT (a, n) VALUES (S.a, S.n)` }));
    assert.deepEqual({ code: viaJob.code, reason: viaJob.reason }, { code: undefined, reason: 'rateLimitExceeded' });
    await bq.query(`INSERT INTO ${ref(dataset, 'b')} (a, n) VALUES ('b2', 4)`);
    assert.deepEqual((await rows(b, dataset, 'a')).map((r) => [r.a, r.n]), [['s1', 11], ['s2', 2]]);
    const dml = gate.bill().dml[`${PROJECT}:${dataset}.a`];
    assert.deepEqual({ statements: dml?.statements, peak: dml?.peakPer10s }, { statements: 3, peak: 3 });
    assert.equal(gate.bill().quotaErrorsByLimit.dmlStatementsPerTablePer10s, 2);
  } finally {
    await gate.stop();
  }
});

test('mutating DML per table: running + queued at once, then the next fails; INSERTs are not held to it', async () => {
  const b = bench();
  const held = latch();
  const gate = await openGate(b, {
    limits: { mutatingDmlRunningPerTable: 1, mutatingDmlQueuedPerTable: 1 },
    beforeForward: (call) => (/^UPDATE/.test(call.sql ?? '') ? held.hold() : undefined),
  });
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const t = ref(dataset, 't');
    await b.direct.query(`CREATE TABLE ${t} (a STRING, n INT64); INSERT INTO ${t} (a, n) VALUES ('x', 0)`);
    const first = bq.query(`UPDATE ${t} SET n = n + 1 WHERE a = 'x'`);
    const second = bq.query(`UPDATE ${t} SET n = n + 10 WHERE a = 'x'`);
    await held.arrived(2);
    const third = await failure(bq.createQueryJob({ query: `DELETE FROM ${t} WHERE TRUE` }));
    assert.deepEqual({ reason: third.reason, location: third.location }, { reason: 'quotaExceeded', location: 'max_dml_outstanding_per_table' });
    const viaQuery = await failure(bq.query(`DELETE FROM ${t} WHERE TRUE`));
    assert.deepEqual({ code: viaQuery.code, reason: viaQuery.reason }, { code: 403, reason: 'quotaExceeded' });
    await bq.query(`INSERT INTO ${t} (a, n) VALUES ('y', 100)`);
    held.open();
    await Promise.all([first, second]);
    assert.deepEqual((await rows(b, dataset, 't')).map((r) => [r.a, r.n]), [['x', 11], ['y', 100]]);
  } finally {
    held.open();
    await gate.stop();
  }
});

test('INSERT concurrency applies after the day’s first INSERTs: running + queued, then the next fails', async () => {
  const b = bench();
  const held = latch();
  const gate = await openGate(b, {
    limits: { insertsImmediatePerTablePerDay: 2, insertsRunningPerTable: 1, insertsQueuedPerTable: 0 },
    beforeForward: (call) => (/'held'/.test(call.sql ?? '') ? held.hold() : undefined),
  });
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const t = ref(dataset, 't');
    await b.direct.query(`CREATE TABLE ${t} (a STRING, n INT64)`);
    const running = [bq.query(`INSERT INTO ${t} (a, n) VALUES ('held', 1)`), bq.query(`INSERT INTO ${t} (a, n) VALUES ('held', 2)`)];
    await held.arrived(2);
    const refused = await failure(bq.query(`INSERT INTO ${t} (a, n) VALUES ('late', 3)`));
    assert.deepEqual({ code: refused.code, reason: refused.reason }, { code: 403, reason: 'quotaExceeded' });
    assert.match(refused.message, /pending \+ running/);
    held.open();
    await Promise.all(running);
    await bq.query(`INSERT INTO ${t} (a, n) VALUES ('after', 4)`);
    assert.deepEqual((await rows(b, dataset, 't', 'n')).map((r) => r.n), [1, 2, 4]);
  } finally {
    held.open();
    await gate.stop();
  }
});

test('interactive query queue per project: a query over it is refused on the call with 403 quotaExceeded (usageLimits)', async () => {
  const b = bench();
  const held = latch();
  const gate = await openGate(b, { limits: { interactiveQueriesQueuedPerProject: 1 }, beforeForward: (call) => (/held/.test(call.sql ?? '') ? held.hold() : undefined) });
  try {
    const bq = client(gate.url);
    const first = bq.query("SELECT 'held' AS s");
    await held.arrived(1);
    const refused = await failure(bq.query('SELECT 2 AS n'));
    assert.deepEqual({ code: refused.code, reason: refused.reason, domain: refused.domain }, { code: 403, reason: 'quotaExceeded', domain: 'usageLimits' });
    assert.match(refused.message, /max number of jobs that can be queued per project/);
    held.open();
    const [result] = await first;
    assert.deepEqual(result, [{ s: 'held' }]);
    assert.deepEqual(await bq.query('SELECT 3 AS n').then(([r]) => r), [{ n: 3 }]);
  } finally {
    held.open();
    await gate.stop();
  }
});

test('API rate: tables.insert and any method per user per second answer 403 rateLimitExceeded on the call', async () => {
  const b = bench();
  const gate = await openGate(b, { limits: { tablesInsertPerSecondPerUser: 2, requestsPerSecondPerUserPerMethod: 3 } });
  try {
    const dataset = await newDataset(b);
    const noRetry = client(gate.url, { autoRetry: false });
    const names = ['r1', 'r2', 'r3'];
    const created = await Promise.allSettled(names.map((name) => noRetry.dataset(dataset).createTable(name, { schema: { fields: [{ name: 'a', type: 'STRING' }] } })));
    const refused = created.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(refused.length, 1);
    const error = await failure(Promise.reject(refused[0]!.reason));
    assert.deepEqual({ code: error.code, reason: error.reason }, { code: 403, reason: 'rateLimitExceeded' });
    assert.match(error.message, /^Exceeded rate limits: too many api requests per user per method for this user_method/);
    const [tables] = await b.direct.dataset(dataset).getTables();
    assert.equal(tables.length, 2);
    // Any other method: 3 a second per user; another user (another token) has its own.
    const gets = await Promise.allSettled([1, 2, 3, 4].map(() => noRetry.dataset(dataset).get()));
    assert.equal(gets.filter((g) => g.status === 'rejected').length, 1);
    await client(gate.url, { autoRetry: false, token: 'someone-else' }).dataset(dataset).get();
    // The Node client retries rateLimitExceeded itself, with back-off: left to retry, every create gets through.
    const retrying = client(gate.url);
    await Promise.all(['r4', 'r5', 'r6'].map((name) => retrying.dataset(dataset).createTable(name, { schema: { fields: [{ name: 'a', type: 'STRING' }] } })));
    assert.equal((await b.direct.dataset(dataset).getTables())[0].length, 5);
    assert.ok((gate.bill().quotaErrorsByLimit.tablesInsertPerSecondPerUser ?? 0) >= 2, 'a create was refused, then retried');
  } finally {
    await gate.stop();
  }
});
