// The sweep's plan, rule by rule: what is re-driven, re-announced and reported, and what never is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTopology } from '../../../lib/config/index.js';
import { applyClaim } from '../../../lib/pipeline/claims.js';
import { applyArrival, type FileDoc } from '../../../lib/pipeline/file-doc.js';
import { fileDocId, type ObjectInfo } from '../../../lib/pipeline/index.js';
import { planSweep, type SweepInput } from '../../../lib/sweep/index.js';
import { emptyState, type TriggerBatch } from '../../../lib/transform/index.js';
import { NOW, SLOT, arrived, part, plain, withGo } from '../pipeline/helpers.js';

const topology = { ...(await loadTopology('config/topology.yaml')), buckets: { landing: { name: 'landing', prefix: 'incoming/' }, archive: { name: 'a' }, failed: { name: 'f' } } } as SweepInput['topology'];
const LEASE = 60_000;
/** The topology's sweep.readyAfterSeconds. */
const READY_AFTER = topology.sweep.readyAfterSeconds * 1000;
const at = (ms: number) => new Date(Date.parse(NOW) + ms);
const id = (doc: FileDoc) => fileDocId(doc.table, doc.folder, doc.batchKey);
const ready = applyArrival(undefined, arrived('data', part('inst_1.csv', '10')), plain, SLOT, NOW).doc;
const waiting = applyArrival(undefined, arrived('data', part('trades_1.csv', '20')), withGo, SLOT, NOW).doc;
const object = (name: string, generation: string, created = NOW): ObjectInfo => ({ bucket: 'landing', name: `incoming/${name}`, generation, size: 1, timeCreated: created, contentType: null, metadata: {} });
const DAILY: TriggerBatch = { name: 'daily', tables: ['raw_inst', 'raw_trades'], select: 'tag:daily', policy: { kind: 'all_tables' }, perFolder: false, expectedBySeconds: 3600 };

function plan(docs: FileDoc[], now: Date, extra: Partial<SweepInput> = {}) {
  return planSweep({
    active: new Map(docs.map((d) => [id(d), d])),
    landing: [],
    others: new Map(),
    batchStates: [],
    batches: [DAILY],
    mappings: [plain, { ...withGo, maxWaitSeconds: 600 }],
    topology,
    now,
    ...extra,
  });
}

test('a ready round is re-driven only once it has been ready longer than readyAfterSeconds, with the request for its round', () => {
  assert.deepEqual(plan([ready], at(READY_AFTER)).redrive, []);
  const [redrive] = plan([ready], at(READY_AFTER + 1)).redrive;
  assert.equal(redrive?.id, id(ready));
  assert.deepEqual(redrive?.request, { v: 1, table: 'raw_inst', batchKey: '1', data: { bucket: 'landing', name: 'incoming/inst_1.csv', generation: '10' }, attempt: 1 });
});

test('a loading round is re-driven once its claim lease has expired, not before', () => {
  const loading = applyClaim(ready, { v: 1, table: 'raw_inst', batchKey: '1', data: ready.current.data!, attempt: 1 }, { messageId: 'm', now: NOW, leaseMs: LEASE }).doc!;
  assert.deepEqual(plan([loading], at(LEASE - 1)).redrive, []);
  assert.match(plan([loading], at(LEASE + 1)).redrive[0]?.reason ?? '', /claim 1 expired/);
});

test('a waiting round is never re-driven; it is reported once past max_wait, and not again for the same round', () => {
  assert.deepEqual(plan([waiting], at(3_600_000)).redrive, []);
  assert.deepEqual(plan([waiting], at(600_000)).overdueFiles, []);
  const [late] = plan([waiting], at(601_000)).overdueFiles;
  assert.deepEqual([late?.waitedSeconds, late?.maxWaitSeconds, late?.waitingFor], [601, 600, 'the go file']);
  const reported = { ...waiting, overdue: { round: waiting.round, reportedAt: NOW } };
  assert.deepEqual(plan([reported], at(601_000)).overdueFiles, []);
  assert.equal(plan([{ ...reported, round: waiting.round + 1 }], at(601_000)).overdueFiles.length, 1, 'a new round can be late again');
});

test('a landed object no document holds is re-announced once older than readyAfterSeconds; a held one, a failed one or an unmatched one never', () => {
  const lost = object('inst_2.csv', '30');
  const held = object('inst_1.csv', '10');
  const unmatched = object('notes.txt', '40');
  const failedDoc: FileDoc = { ...applyArrival(undefined, arrived('data', part('inst_3.csv', '50'), undefined), plain, { folder: '', batchKey: '3' }, NOW).doc, state: 'failed' };
  const failedObject = object('inst_3.csv', '50');
  const landing = [lost, held, unmatched, failedObject];
  const others = new Map([[id(failedDoc), failedDoc]]);
  assert.deepEqual(plan([ready], at(READY_AFTER), { landing, others }).rediscover, [], 'younger than readyAfterSeconds: maybe still on its way');
  assert.deepEqual(plan([ready], at(READY_AFTER + 1), { landing, others }).rediscover, [lost]);
  // A new generation of a held name is a correction whose arrival was lost: it is re-announced too.
  assert.deepEqual(plan([ready], at(READY_AFTER + 1), { landing: [object('inst_1.csv', '11')] }).rediscover.map((o) => o.generation), ['11']);
});

test('a batch key incomplete past expected_by is reported with what is missing or failed; a complete or reported one is not', () => {
  const member = (status: 'loaded' | 'failed') => ({ loadId: 'l', status, rows: 1, file: 'f', error: null, at: NOW });
  const partial = { ...emptyState('daily', '1', NOW), members: { raw_inst: member('loaded') } };
  assert.deepEqual(plan([], at(3_600_000), { batchStates: [partial] }).overdueBatches, []);
  assert.deepEqual(plan([], at(3_601_000), { batchStates: [partial] }).overdueBatches, [
    { batch: 'daily', batchKey: '1', missing: ['raw_trades'], failed: [], sinceFirstLoadSeconds: 3601, expectedBySeconds: 3600 },
  ]);
  const failed = { ...partial, members: { raw_inst: member('loaded'), raw_trades: member('failed') } };
  assert.deepEqual(plan([], at(3_601_000), { batchStates: [failed] }).overdueBatches[0]?.failed, ['raw_trades']);
  const complete = { ...partial, members: { raw_inst: member('loaded'), raw_trades: member('loaded') } };
  assert.deepEqual(plan([], at(3_601_000), { batchStates: [complete, { ...partial, overdueReportedAt: NOW }] }).overdueBatches, []);
});

test('a dead letter goes back to the topic its content belongs to, with Pub/Sub’s reason, a few times at most', async () => {
  const { deadLetterAction, REDRIVE_ATTRIBUTE } = await import('../../../lib/sweep/index.js');
  const request = { v: 1, table: 'raw_inst', batchKey: '1', data: { bucket: 'landing', name: 'incoming/inst_1.csv', generation: '10' }, attempt: 1 };
  const pubsub = { CloudPubSubDeadLetterSourceSubscription: 'projects/p/subscriptions/eventarc-x', CloudPubSubDeadLetterSourceDeliveryCount: '26' };
  const letter = (attributes: Record<string, string>, data: unknown = request) => ({ data: Buffer.from(JSON.stringify(data)), attributes, messageId: 'd1', publishTime: null });
  const action = deadLetterAction(letter(pubsub), 3, topology);
  assert.deepEqual(action, { kind: 'redrive', topic: 'loadRequests', table: 'raw_inst', reason: 'dead-lettered by eventarc-x after 26 delivery attempts', attributes: { [REDRIVE_ATTRIBUTE]: '1', landfallSweep: 'true' } });
  assert.equal(deadLetterAction(letter({ ...pubsub, [REDRIVE_ATTRIBUTE]: '2' }), 3, topology).kind, 'redrive');
  assert.match(JSON.stringify(deadLetterAction(letter({ ...pubsub, [REDRIVE_ATTRIBUTE]: '3' }), 3, topology)), /"leave".*re-driven 3 time\(s\) already: left in landfall-dead-letter-hold/);
  assert.match(JSON.stringify(deadLetterAction(letter({ landfallReason: 'no id' }), 3, topology)), /"leave".*malformed, never retried: no id/);
  const arrival = { eventType: 'OBJECT_FINALIZE', bucketId: 'landing', objectId: 'incoming/inst_1.csv', objectGeneration: '10', payloadFormat: 'JSON_API_V1' };
  assert.equal((deadLetterAction(letter({ ...pubsub, ...arrival }, { bucket: 'landing', name: 'incoming/inst_1.csv', generation: '10' }), 3, topology) as { topic?: string }).topic, 'arrivals');
});
