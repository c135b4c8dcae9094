import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology } from '../../../lib/config/topology.js';
import { readFileSync } from 'node:fs';
import { originMetadata, parseArrival, replayNotification, selectForReplay, type ObjectInfo } from '../../../lib/pipeline/index.js';
import { parseReplayArgs } from '../../../lib/cli/commands/replay.js';
import { plain, withGo } from './helpers.js';

const topology = parseTopology(readFileSync('config/topology.yaml', 'utf8'));
const mappings = [plain, withGo];

function archived(name: string, originName: string, generation: string, landedAt: string): ObjectInfo {
  const origin = { bucket: 'landfall-landing', name: originName, generation };
  return {
    bucket: 'landfall-archive',
    name,
    generation: '900',
    size: 10,
    timeCreated: '2030-01-01T00:00:00.000Z',
    contentType: 'text/csv',
    metadata: originMetadata(origin, { landedAt, table: 't', batchKey: 'k', loadId: 'l', status: 'loaded' }),
  };
}

const listing: ObjectInfo[] = [
  archived('raw_trades/1/10/trades_1.csv', 'incoming/trades_1.csv', '10', '2024-01-01T10:00:00.000Z'),
  archived('raw_trades/1/10/trades_1.go', 'incoming/trades_1.go', '11', '2024-01-01T09:00:00.000Z'),
  archived('raw_trades/2/20/trades_2.csv', 'incoming/trades_2.csv', '20', '2024-01-02T10:00:00.000Z'),
  archived('raw_trades/2/20/trades_2.go', 'incoming/trades_2.go', '21', '2024-01-02T10:00:00.000Z'),
  archived('raw_inst/1/30/inst_1.csv', 'incoming/inst_1.csv', '30', '2024-01-03T10:00:00.000Z'),
  archived('raw_inst/1/30/inst_1.csv.error.json', 'incoming/inst_1.csv', '30', '2024-01-03T10:00:00.000Z'),
  archived('misc/readme.txt', 'incoming/readme.txt', '40', '2024-01-03T10:00:00.000Z'),
];

const names = (selected: ReturnType<typeof selectForReplay>) => selected.map((c) => c.object.name);

test('selection by table and batch key brings the go file along, go file first', () => {
  const selected = selectForReplay(listing, { from: 'archive', table: 'raw_trades', batchKey: '1' }, mappings, topology);
  assert.deepEqual(names(selected), ['raw_trades/1/10/trades_1.go', 'raw_trades/1/10/trades_1.csv']);
  assert.equal(selected[1]?.origin.generation, '10');
});

test('selection by prefix matches the landed name, with or without the landing prefix', () => {
  assert.deepEqual(names(selectForReplay(listing, { from: 'archive', prefix: 'inst_' }, mappings, topology)), ['raw_inst/1/30/inst_1.csv']);
  assert.deepEqual(names(selectForReplay(listing, { from: 'archive', prefix: 'incoming/inst_' }, mappings, topology)), ['raw_inst/1/30/inst_1.csv']);
  const byDataPrefix = selectForReplay(listing, { from: 'archive', prefix: 'trades_2.csv' }, mappings, topology);
  assert.deepEqual(names(byDataPrefix), ['raw_trades/2/20/trades_2.go', 'raw_trades/2/20/trades_2.csv']);
});

test('selection by landing time uses the landed-at metadata; sidecars and unmatched names are never selected', () => {
  const since = new Date('2024-01-02T00:00:00Z');
  const until = new Date('2024-01-03T00:00:00Z');
  assert.deepEqual(names(selectForReplay(listing, { from: 'archive', since, until }, mappings, topology)), [
    'raw_trades/2/20/trades_2.go',
    'raw_trades/2/20/trades_2.csv',
  ]);
  const everything = names(selectForReplay(listing, { from: 'archive' }, mappings, topology));
  assert.equal(everything.length, 5);
  assert.ok(!everything.some((n) => n.endsWith('.error.json') || n.endsWith('.txt')));
});

test('from landing: only objects under the landing prefix, their own identity', () => {
  const landing: ObjectInfo[] = [
    { bucket: 'landfall-landing', name: 'incoming/inst_9.csv', generation: '5', size: 1, timeCreated: '2024-01-01T00:00:00Z', contentType: null, metadata: {} },
    { bucket: 'landfall-landing', name: 'elsewhere/inst_8.csv', generation: '6', size: 1, timeCreated: '2024-01-01T00:00:00Z', contentType: null, metadata: {} },
  ];
  const [only, ...rest] = selectForReplay(landing, { from: 'landing' }, mappings, topology);
  assert.equal(rest.length, 0);
  assert.deepEqual(only?.origin, { bucket: 'landfall-landing', name: 'incoming/inst_9.csv', generation: '5' });
});

test('a replay notification is a valid GCS notification marked as a replay, carrying the metadata', () => {
  const { data, attributes } = replayNotification(listing[0]!, 'r-1', new Date('2024-02-01T00:00:00Z'));
  const arrival = parseArrival({ data, attributes, messageId: 'x', publishTime: null });
  assert.equal(arrival.replay, true);
  assert.equal(arrival.replayId, 'r-1');
  assert.deepEqual(arrival.object, { bucket: 'landfall-archive', name: 'raw_trades/1/10/trades_1.csv', generation: '900' });
  assert.equal(arrival.metadata['landfall-origin-generation'], '10');
});

test('replay flags parse, with bad values named', () => {
  const args = parseReplayArgs(['--table', 'raw_trades', '--since', '2024-01-01', '--from', 'failed', '--yes']);
  assert.equal(args.criteria.from, 'failed');
  assert.equal(args.criteria.since?.toISOString(), '2024-01-01T00:00:00.000Z');
  assert.equal(args.yes, true);
  assert.equal(parseReplayArgs([]).criteria.from, 'archive');
  assert.throws(() => parseReplayArgs(['--from', 'elsewhere']), /--from/);
  assert.throws(() => parseReplayArgs(['--seek', 'yesterday']), /--seek/);
});
