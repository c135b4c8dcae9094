// Loads and jobs through the quota gate: a duplicate job id has no effect, a multi-object load is all or nothing,
// hive keys are stamped on each row, and a failed job keeps its error on jobs.get — through the real Node client.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { PROJECT, client, failure, loadConfig, newDataset, openGate, rows, upload, useEmulators } from './gate-harness.js';

const bench = useEmulators();
const unique = () => randomUUID().replace(/-/g, '').slice(0, 12);

test('a duplicate job id is refused with 409 duplicate and loads nothing; jobs.get still returns the first job', async () => {
  const b = bench();
  const gate = await openGate(b);
  try {
    const dataset = await newDataset(b);
    const first = await upload(b, `dup/${unique()}/one.csv`, 'a,n\nx,1\ny,2\n');
    const second = await upload(b, `dup/${unique()}/two.csv`, 'a,n\nz,3\n');
    // The unprefixed client: paths without /bigquery/v2, as BIGQUERY_EMULATOR_HOST makes them.
    const bq = client(gate.url, { unprefixed: true });
    const jobId = `dup_${unique()}`;
    await bq.createJob({ jobId, configuration: loadConfig(dataset, 't', [first]) } as never);
    const again = await failure(bq.createJob({ jobId, configuration: loadConfig(dataset, 't', [first]) } as never));
    assert.deepEqual({ code: again.code, reason: again.reason }, { code: 409, reason: 'duplicate' });
    assert.match(again.message, new RegExp(`^Already Exists: Job ${PROJECT}:US\\.${jobId}$`));
    const other = await failure(bq.createJob({ jobId, configuration: loadConfig(dataset, 't', [second]) } as never));
    assert.equal(other.code, 409);
    assert.deepEqual(await rows(b, dataset, 't'), [{ a: 'x', n: 1 }, { a: 'y', n: 2 }]);
    const [metadata] = await bq.job(jobId).getMetadata();
    assert.deepEqual(metadata.configuration.load.sourceUris, [first]);
    assert.equal(metadata.status.state, 'DONE');
    assert.equal(metadata.status.errorResult, undefined);
    assert.equal(gate.bill().duplicateJobIds, 2);
    assert.equal(gate.bill().jobs.load, 1);
  } finally {
    await gate.stop();
  }
});

test('a load of several objects with one bad object fails as a whole, naming the file, and leaves the table as it was', async () => {
  const b = bench();
  const gate = await openGate(b);
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const dir = `multi/${unique()}`;
    const good = await upload(b, `${dir}/good.csv`, 'a,n\nfirst,1\n');
    const bad = await upload(b, `${dir}/bad.csv`, 'a,n\nsecond,2\nbroken\n');
    const later = await upload(b, `${dir}/later.csv`, 'a,n\nthird,3\n');
    await bq.createJob({ jobId: `seed_${unique()}`, configuration: loadConfig(dataset, 't', [good]) } as never);
    const jobId = `multi_${unique()}`;
    const failed = await failure(bq.createJob({ jobId, configuration: loadConfig(dataset, 't', [good, bad, later]) } as never));
    // A job that failed (no HTTP error): the client throws the job's own errors, with no code.
    assert.deepEqual({ code: failed.code, reason: failed.reason, location: failed.location }, { code: undefined, reason: 'invalid', location: bad });
    assert.match(failed.message, /^Error while reading data, error message: .*wrong number of fields at file: gs:\/\/quota-gate\/multi\/\w+\/bad\.csv$/);
    assert.deepEqual(await rows(b, dataset, 't'), [{ a: 'first', n: 1 }]);
    const [metadata] = await bq.job(jobId).getMetadata();
    assert.equal(metadata.status.errorResult.location, bad);
    const [tables] = await b.direct.dataset(dataset).getTables();
    assert.deepEqual(tables.map((t) => t.id), ['t'], 'no temporary table is left behind');
    // The same objects without the bad one load together; WRITE_TRUNCATE replaces what was there.
    await bq.createJob({ jobId: `ok_${unique()}`, configuration: loadConfig(dataset, 't', [good, later], { writeDisposition: 'WRITE_TRUNCATE' }) } as never);
    assert.deepEqual(await rows(b, dataset, 't'), [{ a: 'first', n: 1 }, { a: 'third', n: 3 }]);
  } finally {
    await gate.stop();
  }
});

test('a hive-partitioned load of several objects stamps each row with its own object’s key value', async () => {
  const b = bench();
  const gate = await openGate(b);
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const batch = `staging-${unique()}/batch`;
    const [one, two] = [randomUUID(), randomUUID()];
    const uris = [
      await upload(b, `${batch}/_landfall_load=${one}/orders_1.csv`, 'a,n\nx,1\ny,2\n'),
      await upload(b, `${batch}/_landfall_load=${two}/orders_2.csv`, 'a,n\nz,3\n'),
    ];
    const fields = [...loadConfigFields(), { name: '_landfall_load', type: 'STRING' }];
    await b.direct.dataset(dataset).createTable('orders', { schema: { fields } });
    const hive = { mode: 'STRINGS', sourceUriPrefix: `gs://quota-gate/${batch}/{_landfall_load:STRING}` };
    await bq.createJob({ jobId: `hive_${unique()}`, configuration: loadConfig(dataset, 'orders', uris, { hivePartitioningOptions: hive, schema: undefined }) } as never);
    assert.deepEqual(await rows(b, dataset, 'orders'), [
      { a: 'x', n: 1, _landfall_load: one },
      { a: 'y', n: 2, _landfall_load: one },
      { a: 'z', n: 3, _landfall_load: two },
    ]);
    // A table the load creates: the file's schema, then the key as a STRING column.
    const auto = { mode: 'AUTO', sourceUriPrefix: `gs://quota-gate/${batch}/` };
    await bq.createJob({ jobId: `hive_${unique()}`, configuration: loadConfig(dataset, 'created', uris, { hivePartitioningOptions: auto }) } as never);
    const [metadata] = await b.direct.dataset(dataset).table('created').getMetadata();
    assert.deepEqual(metadata.schema.fields.map((f: { name: string; type: string }) => [f.name, f.type]), [['a', 'STRING'], ['n', 'INT64'], ['_landfall_load', 'STRING']]);
    assert.deepEqual((await rows(b, dataset, 'created')).map((r) => r._landfall_load), [one, one, two]);
    // A table without the key column is refused, as BigQuery refuses a field it may not add; nothing is written.
    await b.direct.dataset(dataset).createTable('narrow', { schema: { fields: loadConfigFields() } });
    const refused = await failure(bq.createJob({ jobId: `hive_${unique()}`, configuration: loadConfig(dataset, 'narrow', uris, { hivePartitioningOptions: auto }) } as never));
    assert.equal(refused.reason, 'invalid');
    assert.match(refused.message, /Cannot add fields \(field: _landfall_load\)/);
    assert.deepEqual(await rows(b, dataset, 'narrow'), []);
    // The gate's own jobs on the emulator are deleted once answered: each job the emulator keeps slows every later one.
    const [jobs] = await b.direct.getJobs({ allUsers: true });
    assert.ok(jobs.length > 0, 'the emulator lists its jobs');
    assert.deepEqual(jobs.map((j) => j.id).filter((id) => id?.includes('_quota_gate_')), []);
  } finally {
    await gate.stop();
  }
});

test('a failed job keeps status.errorResult and errors on jobs.get (the emulator alone drops them)', async () => {
  const b = bench();
  const gate = await openGate(b);
  try {
    const dataset = await newDataset(b);
    const bq = client(gate.url);
    const queryJob = `failing_${unique()}`;
    const failed = await failure(bq.createQueryJob({ jobId: queryJob, query: `SELECT nope FROM \`${PROJECT}.${dataset}.missing\`` }));
    assert.equal(failed.code, undefined);
    const [viaGate] = await bq.job(queryJob).getMetadata();
    assert.equal(viaGate.status.state, 'DONE');
    assert.equal(viaGate.status.errorResult.message, failed.message);
    assert.equal(viaGate.status.errors.length, 1);
    const [direct] = await b.direct.job(queryJob).getMetadata();
    assert.equal(direct.status.errorResult, undefined, 'the premise: the emulator forgets the failure');
    // A bad single-object load: the emulator refuses the call and keeps no job; BigQuery creates it failed.
    const bad = await upload(b, `single/${unique()}/bad.csv`, 'a,n\nok,1\nbroken\n');
    const loadJob = `badload_${unique()}`;
    const loadFailure = await failure(bq.createJob({ jobId: loadJob, configuration: loadConfig(dataset, 't', [bad]) } as never));
    assert.deepEqual({ code: loadFailure.code, reason: loadFailure.reason }, { code: undefined, reason: 'invalid' });
    const [load] = await bq.job(loadJob).getMetadata();
    assert.equal(load.status.errorResult.reason, 'invalid');
    assert.equal(load.configuration.jobType, 'LOAD');
    // The job exists now: its id is taken, as on BigQuery.
    assert.equal((await failure(bq.createJob({ jobId: loadJob, configuration: loadConfig(dataset, 't', [bad]) } as never))).code, 409);
  } finally {
    await gate.stop();
  }
});

function loadConfigFields(): { name: string; type: string }[] {
  return [{ name: 'a', type: 'STRING' }, { name: 'n', type: 'INT64' }];
}
