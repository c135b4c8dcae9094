import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MalformedMessageError,
  parseArrival,
  validateLoadEvent,
  validateLoadEvents,
  validateLoadRequest,
  type BusMessage,
} from '../../../lib/pipeline/messages.js';

function message(attributes: Record<string, string>, data: unknown): BusMessage {
  const body = typeof data === 'string' ? data : JSON.stringify(data);
  return { data: Buffer.from(body), attributes, messageId: '1', publishTime: null };
}

const attrs = {
  eventType: 'OBJECT_FINALIZE',
  bucketId: 'landing',
  objectId: 'incoming/t_1.csv',
  objectGeneration: '1700000000000001',
  payloadFormat: 'JSON_API_V1',
};

test('a fake-gcs-server notification parses (id bucket/name#gen, numeric-string size)', () => {
  const arrival = parseArrival(
    message({ ...attrs, eventTime: '2024-01-01T00:00:00Z' }, {
      kind: 'storage#object',
      id: 'landing/incoming/t_1.csv#1700000000000001',
      name: 'incoming/t_1.csv',
      bucket: 'landing',
      size: '12',
      timeCreated: '2024-01-01T00:00:00Z',
    }),
  );
  assert.deepEqual(arrival.object, { bucket: 'landing', name: 'incoming/t_1.csv', generation: '1700000000000001' });
  assert.equal(arrival.size, 12);
  assert.equal(arrival.timeCreated, '2024-01-01T00:00:00Z');
  assert.equal(arrival.replay, false);
});

test('a GCS notification parses, with metadata and a replay marker', () => {
  const arrival = parseArrival(
    message({ ...attrs, notificationConfig: 'projects/_/buckets/landing/notificationConfigs/1', landfallReplay: 'true', landfallReplayId: 'r1' }, {
      id: 'landing/incoming/t_1.csv/1700000000000001',
      selfLink: 'https://x',
      metageneration: '1',
      metadata: { 'landfall-origin-name': 'incoming/t_1.csv', n: 5 },
    }),
  );
  assert.equal(arrival.replay, true);
  assert.equal(arrival.replayId, 'r1');
  assert.deepEqual(arrival.metadata, { 'landfall-origin-name': 'incoming/t_1.csv' });
  assert.equal(arrival.size, null);
});

test('payloadFormat NONE needs no body', () => {
  assert.equal(parseArrival(message({ ...attrs, payloadFormat: 'NONE' }, '')).object.name, 'incoming/t_1.csv');
});

test('malformed arrivals say what is wrong', () => {
  const cases: [Record<string, string>, unknown, RegExp][] = [
    [{ ...attrs, objectId: '' }, {}, /objectId/],
    [{ ...attrs, objectGeneration: 'abc' }, {}, /objectGeneration/],
    [{ ...attrs, bucketId: undefined as unknown as string }, {}, /bucketId/],
    [attrs, 'not json', /not JSON/],
    [attrs, [1, 2], /not a JSON object/],
  ];
  for (const [a, d, reason] of cases) {
    assert.throws(() => parseArrival(message(a, d)), (e: unknown) => e instanceof MalformedMessageError && reason.test(e.reason));
  }
});

const request = {
  v: 1,
  table: 'raw_t',
  batchKey: '1',
  data: { bucket: 'landing', name: 'incoming/t_1.csv', generation: '5', origin: { bucket: 'landing', name: 'incoming/t_1.csv', generation: 4 } },
  go: { bucket: 'landing', name: 'incoming/t_1.go', generation: '6' },
  attempt: 2,
  replay: true,
};

test('a load request round-trips and generations are normalised to strings', () => {
  const parsed = validateLoadRequest(JSON.parse(JSON.stringify(request)));
  assert.equal(parsed.data.origin?.generation, '4');
  assert.equal(parsed.go?.name, 'incoming/t_1.go');
  assert.equal(parsed.replay, true);
});

test('malformed load requests are rejected with the field named', () => {
  const bad: [unknown, RegExp][] = [
    [{ ...request, v: 2 }, /version/],
    [{ ...request, attempt: 0 }, /attempt/],
    [{ ...request, table: '' }, /table/],
    [{ ...request, data: { bucket: 'b', name: 'n' } }, /data.generation/],
    [{ ...request, go: 'x' }, /request.go/],
    [{ ...request, replay: 'yes' }, /replay/],
    ['text', /not a JSON object/],
  ];
  for (const [value, reason] of bad) {
    assert.throws(() => validateLoadRequest(value), (e: unknown) => e instanceof MalformedMessageError && reason.test(e.reason), String(reason));
  }
});

test('load events validate status, rows and optional text fields', () => {
  const event = { v: 1, table: 't', batchKey: 'k', loadId: 'id', status: 'failed', rows: 0, error: 'bad', file: 'gs://b/n#1' };
  assert.deepEqual(validateLoadEvent(event), event);
  assert.throws(() => validateLoadEvent({ ...event, status: 'done' }), MalformedMessageError);
  assert.throws(() => validateLoadEvent({ ...event, rows: -1 }), MalformedMessageError);
  assert.throws(() => validateLoadEvent({ ...event, error: 5 }), MalformedMessageError);
});

test('a load event message is one event or a list of them, each validated as one', () => {
  const one = { v: 1, table: 't', batchKey: 'k', loadId: 'a', status: 'loaded', rows: 3, file: 'gs://b/a#1' };
  const two = { ...one, loadId: 'b', status: 'failed', rows: 0, error: 'bad', file: 'gs://b/b#1' };
  assert.deepEqual(validateLoadEvents(one), [one]);
  assert.deepEqual(validateLoadEvents({ v: 1, events: [one, two] }), [one, two]);
  const bad: [unknown, RegExp][] = [
    [{ v: 2, events: [one] }, /list version must be 1/],
    [{ v: 1, events: [] }, /non-empty array/],
    [{ v: 1, events: one }, /non-empty array/],
    [{ v: 1, events: [one], table: 't' }, /besides v and events: table/],
    [{ v: 1, events: [one, { ...two, rows: -1 }] }, /^events\[1\]: load event rows/],
    [{ v: 1, events: [one, { ...two, v: undefined }] }, /^events\[1\]: load event version/],
  ];
  for (const [value, reason] of bad) {
    assert.throws(() => validateLoadEvents(value), (e: unknown) => e instanceof MalformedMessageError && reason.test(e.reason), String(reason));
  }
});
