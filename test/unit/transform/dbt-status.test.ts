// The dbt part of `landfall status`: batch keys waiting, held back or running, and the runs with their models.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbtStatus, emptyState, formatDbtStatus, onEvent } from '../../../lib/transform/index.js';
import type { BatchKeyState, DbtRunRecord, TriggerBatch } from '../../../lib/transform/index.js';

const DAILY: TriggerBatch = { name: 'daily', tables: ['raw_trades', 'raw_positions'], select: 'tag:daily', policy: { kind: 'all_tables' }, perFolder: false };
const NOW = '2024-01-15T18:00:00.000Z';

function stateWith(events: [string, 'loaded' | 'failed', string | null][], key: string): BatchKeyState {
  let state = emptyState('daily', key, NOW);
  events.forEach(([table, status, error], i) => {
    const e = { table, loadId: `L${i}`, status, rows: 3, file: `gs://b/${table}`, error, at: NOW, messageId: `m${i}` };
    state = onEvent(DAILY, state, e, NOW, 60_000).state ?? state;
  });
  return state;
}

describe('dbtStatus', () => {
  it('shows what each key waits for, what holds it back, and the runs with their models and messages', () => {
    const waiting = stateWith([['raw_trades', 'loaded', null]], '20240116');
    const held = stateWith([['raw_trades', 'failed', 'trades_20240117.csv: record_count 8 but 7 rows'], ['raw_positions', 'loaded', null]], '20240117');
    const running = stateWith([['raw_trades', 'loaded', null], ['raw_positions', 'loaded', null]], '20240115');
    const run: DbtRunRecord = {
      batch: 'daily', batchKey: '20240115', seq: 1, status: 'error', select: 'tag:daily', loadIds: {},
      startedAt: NOW, finishedAt: '2024-01-15T18:00:12.500Z', modelsBuilt: ['model.p.stg_trades'], modelsFailed: ['model.p.position_values'],
      logExcerpt: '…', message: 'model.p.position_values: Conversion Error',
    };
    const orphan = { ...waiting, batch: 'removed_batch' };
    const status = dbtStatus([waiting, held, running, orphan], [run], [DAILY]);
    assert.deepEqual(status.batchKeys.map((k) => [k.batchKey, k.state]), [
      ['20240117', 'held back: raw_trades failed (trades_20240117.csv: record_count 8 but 7 rows)'],
      ['20240116', 'waiting for raw_positions'],
      ['20240115', `running run 1 (since ${NOW})`],
    ]);
    assert.deepEqual(status.batchKeys[1]?.members, { raw_trades: 'loaded', raw_positions: 'missing' });
    const text = formatDbtStatus(status);
    assert.match(text, /daily 20240115 run 1: error, started 2024-01-15T18:00:00.000Z in 12.5 s; built stg_trades; failed position_values\n\s+model.p.position_values: Conversion Error/);
    assert.match(text, /raw_trades=failed raw_positions=loaded/);
  });

  it('says so when nothing has happened yet', () => {
    assert.equal(formatDbtStatus(dbtStatus([], [], [DAILY])), 'dbt batches:\n  (no load events for any batch yet)\ndbt runs (latest first):\n  (none)');
  });
});
