import assert from 'node:assert/strict';
import { test } from 'node:test';
import { destinationName, errorSidecarName, fileDocId, loadIdFor, relativeName, unmatchedDocId, uuidV5 } from '../../../lib/pipeline/ids.js';

test('file document ids are derived, readable and url-safe', () => {
  assert.equal(fileDocId('raw_trades', '20240115'), 'raw_trades~20240115');
  assert.equal(fileDocId('raw_trades', '20240115'), fileDocId('raw_trades', '20240115'));
  assert.equal(fileDocId('t', 'a/b c~d'), 't~a%2Fb%20c%7Ed');
  assert.match(fileDocId('tæble', 'ключ'), /^[A-Za-z0-9_.~%-]+$/);
});

test('ids never collide on the separator and never take a form Firestore forbids', () => {
  assert.notEqual(fileDocId('a~b', 'c'), fileDocId('a', 'b~c'));
  assert.ok(!fileDocId('__x', 'y__').startsWith('__'));
  assert.ok(!unmatchedDocId('b', 'incoming/x.txt').includes('/'));
});

test('very long ids are shortened with a hash and stay distinct', () => {
  const long = 'k'.repeat(2000);
  const a = unmatchedDocId('bucket', long);
  const b = unmatchedDocId('bucket', `${long}x`);
  assert.ok(Buffer.byteLength(a) <= 1500);
  assert.notEqual(a, b);
});

test('load ids are UUIDv5 of the identity and claim number (checked against Python uuid.uuid5)', () => {
  const id = loadIdFor({ bucket: 'b', name: 'incoming/x.csv', generation: '123' }, 1);
  assert.equal(id, '0d64e770-62ee-5eda-b460-7edab2ae2512');
  assert.notEqual(id, loadIdFor({ bucket: 'b', name: 'incoming/x.csv', generation: '123' }, 2));
  assert.match(uuidV5('anything'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('destination names are unique per load and keep the landing-relative path', () => {
  assert.equal(relativeName('incoming/2024/t_1.csv', 'incoming/'), '2024/t_1.csv');
  assert.equal(relativeName('other/t_1.csv', 'incoming/'), 'other/t_1.csv');
  assert.equal(destinationName('raw_t', '1', '77', 'incoming/t_1.csv', 'incoming/'), 'raw_t/1/77/t_1.csv');
  assert.equal(errorSidecarName('raw_t/1/77/t_1.csv'), 'raw_t/1/77/t_1.csv.error.json');
});
