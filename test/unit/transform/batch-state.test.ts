// The dbt trigger's decisions for both policies: exactly once per completed key, duplicates, reloads, failures, leases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEvents, describeHold, emptyState, onEvent, onRunFinished, onWake } from '../../../lib/transform/batch-state.js';
import type { BatchKeyState, Step, TriggerBatch, TriggerEvent } from '../../../lib/transform/batch-state.js';

const TABLES = ['raw_instruments', 'raw_trades', 'raw_positions', 'raw_eod_prices'];
const ALL: TriggerBatch = { name: 'daily', tables: TABLES, select: 'tag:daily', policy: { kind: 'all_tables' }, perFolder: false };
const EACH: TriggerBatch = { name: 'intraday', tables: ['raw_trades'], select: 'stg_trades', policy: { kind: 'each_load', debounceSeconds: 30 }, perFolder: false };
const LEASE_MS = 600_000;
const T0 = Date.parse('2024-01-15T10:00:00.000Z');

const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function event(table: string, loadId: string, seconds: number, extra: Partial<TriggerEvent> = {}): TriggerEvent {
  return { table, loadId, status: 'loaded', rows: 3, file: `gs://b/${table}#1`, error: null, at: at(seconds), messageId: `m-${loadId}`, ...extra };
}

/** Feeds events in order, keeping the state as the store would (a step without a state writes nothing). */
function feed(batch: TriggerBatch, events: TriggerEvent[], start?: BatchKeyState): { state: BatchKeyState; steps: Step[] } {
  let state = start ?? emptyState(batch.name, '20240115', at(0));
  const steps: Step[] = [];
  for (const e of events) {
    const step = onEvent(batch, state, e, e.at, LEASE_MS);
    steps.push(step);
    state = step.state ?? state;
  }
  return { state, steps };
}

const fires = (steps: Step[]) => steps.filter((s) => s.decision.kind === 'fire');

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('all_tables', () => {
  const complete = TABLES.map((table, i) => event(table, `L${i}`, i + 1));

  it('fires exactly once, on the last member, whatever the order', () => {
    for (const order of permutations(complete)) {
      const { state, steps } = feed(ALL, order);
      assert.equal(fires(steps).length, 1);
      assert.equal(steps.at(-1)?.decision.kind, 'fire');
      assert.equal(state.run?.seq, 1);
      assert.deepEqual(state.run?.loadIds, { raw_instruments: 'L0', raw_trades: 'L1', raw_positions: 'L2', raw_eod_prices: 'L3' });
    }
  });

  it('does not fire for half the members and says what it waits for', () => {
    const { state, steps } = feed(ALL, complete.slice(0, 2));
    assert.equal(fires(steps).length, 0);
    assert.equal(describeHold(ALL, state), 'waiting for raw_positions, raw_eod_prices');
  });

  it('ignores duplicate events, before and after the run, without writing', () => {
    const { state, steps } = feed(ALL, [...complete, ...complete.map((e) => ({ ...e, messageId: `dup-${e.loadId}` }))]);
    assert.equal(fires(steps).length, 1);
    for (const step of steps.slice(4)) assert.equal(step.state, undefined);
    const finished = onRunFinished(ALL, state, 1, 'm-L3', 'success', at(20), LEASE_MS).state!;
    const again = feed(ALL, complete.map((e) => ({ ...e, messageId: `late-${e.loadId}` })), finished);
    assert.equal(fires(again.steps).length, 0);
    assert.equal(describeHold(ALL, again.state), 'up to date: no loads since the last run');
  });

  it('fires one new run when a member is reloaded after the run', () => {
    const { state } = feed(ALL, complete);
    const finished = onRunFinished(ALL, state, 1, 'm-L3', 'success', at(20), LEASE_MS).state!;
    const reload = event('raw_trades', 'L1b', 30);
    const { state: after, steps } = feed(ALL, [reload, { ...reload, messageId: 'dup' }], finished);
    assert.deepEqual(steps.map((s) => s.decision.kind), ['fire', 'none']);
    assert.equal(after.run?.seq, 2);
    assert.equal(after.run?.loadIds.raw_trades, 'L1b');
  });

  it('runs again after the run when a member reloads during it', () => {
    const { state } = feed(ALL, complete);
    const { state: during, steps } = feed(ALL, [event('raw_positions', 'L2b', 10)], state);
    assert.equal(steps[0]?.decision.kind, 'none');
    const finish = onRunFinished(ALL, during, 1, 'm-L3', 'success', at(20), LEASE_MS);
    assert.deepEqual(finish.decision, { kind: 'fire', seq: 2, takeover: false });
    assert.equal(finish.state?.run?.loadIds.raw_positions, 'L2b');
    const second = onRunFinished(ALL, finish.state!, 2, 'm-L3', 'success', at(30), LEASE_MS);
    assert.equal(second.decision.kind, 'none');
    assert.equal(second.state?.run?.state, 'success');
  });

  it('is held back by a failed member, says why, and fires once it loads', () => {
    const failing = event('raw_trades', 'F1', 2, { status: 'failed', error: 'row count 3 != 4' });
    const { state, steps } = feed(ALL, [complete[0]!, failing, complete[2]!, complete[3]!]);
    assert.equal(fires(steps).length, 0);
    assert.equal(describeHold(ALL, state), 'held back: raw_trades failed (row count 3 != 4)');
    const fixed = feed(ALL, [event('raw_trades', 'L1', 9)], state);
    assert.equal(fires(fixed.steps).length, 1);
  });

  it('ignores an event older than the member state it would replace, and skipped events', () => {
    const { state } = feed(ALL, [event('raw_trades', 'NEW', 10)]);
    const stale = onEvent(ALL, state, event('raw_trades', 'OLD', 5, { status: 'failed' }), at(11), LEASE_MS);
    assert.equal(stale.state, undefined);
    const skipped = onEvent(ALL, state, event('raw_trades', 'NEW2', 12, { status: 'skipped' }), at(12), LEASE_MS);
    assert.equal(skipped.state, undefined);
  });

  it("takes over the run when the claimer's message comes back, or when the lease has run out", () => {
    const { state } = feed(ALL, complete);
    const redelivered = onEvent(ALL, state, complete[3]!, at(30), LEASE_MS);
    assert.deepEqual(redelivered.decision, { kind: 'fire', seq: 1, takeover: true });
    const other = onEvent(ALL, state, { ...complete[0]!, messageId: 'other' }, at(30), LEASE_MS);
    assert.equal(other.decision.kind, 'none');
    const expired = onEvent(ALL, state, { ...complete[0]!, messageId: 'other' }, at(4 + LEASE_MS / 1000), LEASE_MS);
    assert.deepEqual(expired.decision, { kind: 'fire', seq: 1, takeover: true });
    assert.equal(expired.state?.run?.claimedBy, 'other');
    const lateFinish = onRunFinished(ALL, expired.state!, 1, 'm-L3', 'success', at(700), LEASE_MS);
    assert.equal(lateFinish.state, undefined);
  });

  it('records a failed run and does not re-run it on duplicates', () => {
    const { state } = feed(ALL, complete);
    const finished = onRunFinished(ALL, state, 1, 'm-L3', 'error', at(20), LEASE_MS);
    assert.equal(finished.state?.run?.state, 'error');
    assert.equal(finished.decision.kind, 'none');
    assert.equal(fires(feed(ALL, [{ ...complete[1]!, messageId: 'dup' }], finished.state).steps).length, 0);
  });
});

describe('each_load', () => {
  const first = event('raw_trades', 'A', 0);
  const second = event('raw_trades', 'B', 10);

  it('waits for the quiet period, then fires once', () => {
    const { state, steps } = feed(EACH, [first]);
    assert.deepEqual(steps[0]?.decision, { kind: 'wait', until: at(30) });
    assert.deepEqual(onWake(EACH, state, 'm-A', at(29), LEASE_MS).decision, { kind: 'wait', until: at(30) });
    const woke = onWake(EACH, state, 'm-A', at(30), LEASE_MS);
    assert.deepEqual(woke.decision, { kind: 'fire', seq: 1, takeover: false });
    assert.equal(onEvent(EACH, woke.state!, { ...first, messageId: 'dup' }, at(31), LEASE_MS).decision.kind, 'none');
  });

  it('restarts the quiet period on each new load; the older waiter stands down', () => {
    const { state, steps } = feed(EACH, [first, second]);
    assert.deepEqual(steps[1]?.decision, { kind: 'wait', until: at(40) });
    assert.equal(onWake(EACH, state, 'm-A', at(30), LEASE_MS).decision.kind, 'none');
    assert.equal(onWake(EACH, state, 'm-B', at(40), LEASE_MS).decision.kind, 'fire');
  });

  it('does nothing for a duplicate, and resumes waiting on a redelivery of the waiting message', () => {
    const { state } = feed(EACH, [first]);
    const duplicate = onEvent(EACH, state, { ...first, messageId: 'dup' }, at(5), LEASE_MS);
    assert.equal(duplicate.decision.kind, 'none');
    assert.equal(duplicate.state, undefined);
    assert.deepEqual(onEvent(EACH, state, first, at(6), LEASE_MS).decision, { kind: 'wait', until: at(30) });
    assert.equal(onEvent(EACH, state, first, at(31), LEASE_MS).decision.kind, 'fire');
  });

  it('is held back by a failed load', () => {
    const failed = event('raw_trades', 'F', 5, { status: 'failed', error: 'bad header' });
    const { state } = feed(EACH, [first, failed]);
    assert.equal(onWake(EACH, state, 'm-A', at(31), LEASE_MS).decision.kind, 'none');
    assert.equal(describeHold(EACH, state), 'held back: raw_trades failed (bad header)');
  });

  it('leaves a load that arrived during a run to its waiter, or runs it at the end when its quiet period is over', () => {
    const { state } = feed(EACH, [first]);
    const running = onWake(EACH, state, 'm-A', at(30), LEASE_MS).state!;
    const { state: during } = feed(EACH, [event('raw_trades', 'C', 35)], running);
    assert.equal(onRunFinished(EACH, during, 1, 'm-A', 'success', at(40), LEASE_MS).decision.kind, 'none');
    const late = onRunFinished(EACH, during, 1, 'm-A', 'success', at(70), LEASE_MS);
    assert.deepEqual(late.decision, { kind: 'fire', seq: 2, takeover: false });
    assert.equal(late.state?.run?.loadIds.raw_trades, 'C');
  });
});

describe('folding many events at once (a burst of one key)', () => {
  const burst = [
    event('raw_trades', 'T1', 1),
    event('raw_trades', 'T3', 3),
    event('raw_positions', 'P2', 2, { status: 'failed', error: 'count is 8, file has 7' }),
    event('raw_trades', 'T2', 2),
    event('raw_instruments', 'I1', 1),
  ];

  it('ends where the events one by one end, in any order: the newest of each member, the failure kept', () => {
    const oneByOne = feed(ALL, burst).state.members;
    for (const order of permutations(burst)) {
      const folded = applyEvents(ALL, emptyState('daily', '20240115', at(0)), order, 'folder', at(5))!;
      assert.deepEqual(folded.members, oneByOne);
    }
    assert.equal(oneByOne.raw_trades?.loadId, 'T3');
    assert.equal(oneByOne.raw_positions?.status, 'failed');
  });

  it('writes nothing when none is news, and for each_load makes the folding handler the one that waits', () => {
    const state = feed(ALL, burst).state;
    assert.equal(applyEvents(ALL, state, burst, 'folder', at(9)), undefined);
    const folded = applyEvents(EACH, emptyState('intraday', '20240115', at(0)), burst, 'folder', at(5))!;
    assert.equal(folded.waiter, 'folder');
    assert.equal(folded.dueAt, at(35));
    assert.equal(onWake(EACH, folded, 'folder', at(6), LEASE_MS).decision.kind, 'wait');
  });
});
