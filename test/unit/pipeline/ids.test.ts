import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorSidecarName } from '../../../lib/load/index.js';
import { destinationName, fileDocId, folderOf, loadIdFor, relativeName, unmatchedDocId, uuidV5 } from '../../../lib/pipeline/ids.js';

test('file document ids are derived, readable and url-safe', () => {
  assert.equal(fileDocId('raw_trades', '', '20240115'), 'raw_trades~20240115');
  assert.equal(fileDocId('raw_trades', '', '20240115'), fileDocId('raw_trades', '', '20240115'));
  assert.equal(fileDocId('t', '', 'a/b c~d'), 't~a%2Fb%20c%7Ed');
  assert.match(fileDocId('tæble', 'día/', 'ключ'), /^[A-Za-z0-9_.~%-]+$/);
});

test('one name in two folders is two documents; at the top of the prefix the id is the one used before folders counted', () => {
  assert.equal(fileDocId('raw_p', 'day1/', 'eod'), 'raw_p~day1%2F~eod');
  assert.notEqual(fileDocId('raw_p', 'day1/', 'eod'), fileDocId('raw_p', 'day2/', 'eod'));
  assert.notEqual(fileDocId('raw_p', 'day1/', 'eod'), fileDocId('raw_p', '', 'eod'));
  assert.equal(fileDocId('raw_p', '', 'eod'), 'raw_p~eod');
  assert.equal(folderOf('day1/sub/x.csv'), 'day1/sub/');
  assert.equal(folderOf('x.csv'), '');
});

test('ids never collide on the separator and never take a form Firestore forbids', () => {
  assert.notEqual(fileDocId('a~b', '', 'c'), fileDocId('a', '', 'b~c'));
  assert.notEqual(fileDocId('a', 'b~/', 'c'), fileDocId('a', 'b', '~/c'));
  assert.ok(!fileDocId('__x', '', 'y__').startsWith('__'));
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

test('a sidecar name always fits the file system: a long base name is cut and given a hash of the whole', () => {
  const long = `${'é'.repeat(120)}_1.csv`; // 246 bytes: with the suffix, over 255
  const a = errorSidecarName(`raw_t/${long}`);
  const b = errorSidecarName(`raw_t/${long.replace('_1', '_2')}`);
  assert.ok(a.startsWith('raw_t/é') && a.endsWith('.error.json'), a);
  assert.ok(Buffer.byteLength(a.slice('raw_t/'.length)) <= 255);
  assert.notEqual(a, b);
  assert.equal(errorSidecarName(`raw_t/${long}`), a, 'the same name, the same sidecar');
});
