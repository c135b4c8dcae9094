// The fate board: uploads paired with load events and dead letters, and the one line each fate gets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aboutOf, FateBoard } from '../../../emulators/fate-board.js';
import { parseTableMappings } from '../../../lib/config/index.js';
import type { LoadEvent } from '../../../lib/pipeline/index.js';

const mappings = parseTableMappings([
  {
    path: 'config/tables/t.yaml',
    text: [
      'instruments_*.csv: raw_instruments',
      'trades_*.csv:',
      '  table: raw_trades',
      '  go_file: { pattern: trades_*.go, format: properties, row_count_key: record_count }',
    ].join('\n'),
  },
]);

const B = 'landfall-landing';
const up = (name: string, generation: string, atMs: number) => ({ bucket: B, name: `incoming/${name}`, generation, atMs });
const event = (over: Partial<LoadEvent> & Pick<LoadEvent, 'file'>): LoadEvent => ({
  v: 1,
  table: 'raw_trades',
  batchKey: '20240115',
  loadId: 'L1',
  status: 'loaded',
  rows: 8,
  ...over,
});

/** Collapses the name column's padding so assertions read as the words. */
const squeeze = (line: string | undefined) => line?.replace(/ {2,}/g, '  ');

describe('FateBoard', () => {
  it('says a loaded file with its table, rows and ms from the moment it was complete (go file included)', () => {
    const board = new FateBoard(mappings, 'incoming/');
    assert.deepEqual(board.uploaded([up('trades_20240115.go', '5', 1000), up('trades_20240115.csv', '7', 1100)]), []);
    const line = board.event(event({ file: `gs://${B}/incoming/trades_20240115.csv#7` }), 1512);
    assert.equal(squeeze(line), 'trades_20240115.csv  → raw_trades  8 rows  412 ms');
    assert.deepEqual(board.outstanding(), []);
    assert.deepEqual(board.fates(), [{ name: 'trades_20240115.csv', table: 'raw_trades', batchKey: '20240115', fate: 'loaded' }]);
  });

  it('starts the clock at the go file when it came after the data file', () => {
    const board = new FateBoard(mappings, 'incoming/');
    const waiting = board.uploaded([up('trades_1.csv', '7', 1000)]);
    assert.deepEqual(waiting.map(squeeze), ['trades_1.csv  … waiting for trades_1.go']);
    board.uploaded([up('trades_1.go', '8', 5000)]);
    assert.match(board.event(event({ file: `gs://${B}/incoming/trades_1.csv#7`, batchKey: '1' }), 5300)!, / 300 ms$/);
  });

  it('says a go file waits for its data file, and a name no mapping claims', () => {
    const board = new FateBoard(mappings, 'incoming/');
    const lines = board.uploaded([up('trades_2.go', '1', 0), up('notes.txt', '2', 0)]);
    assert.deepEqual(lines.map(squeeze), [
      'notes.txt  ? matches no table mapping in config/tables: left in the landing bucket',
      'trades_2.go  … waiting for trades_2.csv',
    ]);
    assert.deepEqual(board.outstanding(), [], 'neither has a fate to wait for');
  });

  it('says a failed load with the reason, and a redelivered event once', () => {
    const board = new FateBoard(mappings, 'incoming/');
    board.uploaded([up('instruments_1.csv', '3', 0)]);
    const failed = event({ table: 'raw_instruments', status: 'failed', rows: 0, error: 'instruments_1.csv line 3: 4 fields, header has 6', file: `gs://${B}/incoming/instruments_1.csv#3` });
    assert.equal(squeeze(board.event(failed, 95)), 'instruments_1.csv  ✗ failed: instruments_1.csv line 3: 4 fields, header has 6  95 ms');
    assert.equal(board.event(failed, 200), undefined);
    assert.deepEqual(board.fates(), [{ name: 'instruments_1.csv', table: 'raw_instruments', batchKey: '1', fate: 'failed' }]);
  });

  it('keeps the first fate of a file; a later skipped event is said but does not change it', () => {
    const board = new FateBoard(mappings, 'incoming/');
    board.uploaded([up('instruments_1.csv', '3', 0)]);
    const file = `gs://${B}/incoming/instruments_1.csv#3`;
    board.event(event({ table: 'raw_instruments', file }), 10);
    const again = board.event(event({ table: 'raw_instruments', file, loadId: 'L2', status: 'skipped', rows: 0 }), 20);
    assert.match(again!, /skipped, an earlier attempt already loaded it  \(again: a replay or redelivery\)$/);
    assert.equal(board.fates()[0]!.fate, 'loaded');
  });

  it('says events for files uploaded elsewhere (landfall put, replay) with the pipeline’s own time', () => {
    const board = new FateBoard(mappings, 'incoming/');
    const line = board.event(event({ rows: 1, file: `gs://${B}/incoming/2024/trades_9.csv#42` }), 10);
    assert.equal(squeeze(line), '2024/trades_9.csv  → raw_trades  1 row  (uploaded elsewhere)', 'a file reads as its path under the landing prefix');
    const timed = event({ loadId: 'L9', file: `gs://${B}/incoming/trades_9.csv#43`, arrivedAt: '2024-01-15T10:00:00.000Z', finishedAt: '2024-01-15T10:00:00.792Z' });
    assert.equal(squeeze(board.event(timed, 10)), 'trades_9.csv  → raw_trades  8 rows  792 ms from arrival (uploaded elsewhere)');
  });

  it('pairs a go file only with the data file in its own folder', () => {
    const board = new FateBoard(mappings, 'incoming/');
    assert.deepEqual(board.uploaded([up('a/trades_1.go', '1', 0)]).map(squeeze), ['a/trades_1.go  … waiting for trades_1.csv']);
    assert.deepEqual(board.uploaded([up('b/trades_1.csv', '2', 10)]).map(squeeze), ['b/trades_1.csv  … waiting for trades_1.go'], 'the go file is in another folder');
    assert.deepEqual(board.uploaded([up('a/trades_1.csv', '3', 20)]), [], 'the one beside it completes it');
    assert.deepEqual(board.outstanding().sort(), ['a/trades_1.csv', 'b/trades_1.csv']);
  });

  it('pairs a dead-lettered arrival of a go file with its data file', () => {
    const board = new FateBoard(mappings, 'incoming/');
    board.uploaded([up('trades_3.go', '1', 0), up('trades_3.csv', '2', 0)]);
    const line = board.deadLetter({
      data: Buffer.from('{}'),
      attributes: { bucketId: B, objectId: 'incoming/trades_3.go', objectGeneration: '1', CloudPubSubDeadLetterSourceDeliveryCount: '5' },
    });
    assert.match(line, /^trades_3\.go +✗ dead-lettered after 5 attempts: every delivery attempt failed/);
    assert.deepEqual(board.fates(), [{ name: 'trades_3.csv', table: 'raw_trades', batchKey: '3', fate: 'dead-lettered' }]);
  });

  it('pairs a dead-lettered load request with its data file and says the pipeline’s reason', () => {
    const board = new FateBoard(mappings, 'incoming/');
    board.uploaded([up('instruments_4.csv', '9', 0)]);
    const request = { v: 1, table: 'raw_instruments', batchKey: '4', data: { bucket: B, name: 'incoming/instruments_4.csv', generation: '9' }, attempt: 1 };
    const line = board.deadLetter({ data: Buffer.from(JSON.stringify(request)), attributes: { landfallReason: 'no table mapping' } });
    assert.equal(squeeze(line), 'instruments_4.csv  ✗ dead-lettered: no table mapping');
    assert.equal(board.fates()[0]!.fate, 'dead-lettered');
  });

  it('lines up names to the longest expected one', () => {
    const board = new FateBoard(mappings, 'incoming/');
    board.expectNames(['a_very_long_sample_file_name_20240115.csv']);
    assert.equal(board.line('x.csv', 'text'), `${'x.csv'.padEnd(43)}text`);
  });
});

describe('aboutOf', () => {
  it('reads the object of a GCS notification, a load request (origin first), or nothing', () => {
    assert.deepEqual(aboutOf({ data: Buffer.from(''), attributes: { bucketId: 'b', objectId: 'o', objectGeneration: '1' } }), {
      bucket: 'b',
      name: 'o',
      generation: '1',
    });
    const replayed = { data: { bucket: 'archive', name: 'x', generation: 5, origin: { bucket: 'b', name: 'incoming/x', generation: '2' } } };
    assert.deepEqual(aboutOf({ data: Buffer.from(JSON.stringify(replayed)), attributes: {} }), { bucket: 'b', name: 'incoming/x', generation: '2' });
    assert.equal(aboutOf({ data: Buffer.from('not json'), attributes: {} }), undefined);
  });
});
