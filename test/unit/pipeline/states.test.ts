import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FILE_EVENTS, FILE_STATES, IllegalTransitionError, TRANSITIONS, isTerminal, transition } from '../../../lib/pipeline/states.js';

const LEGAL: Record<string, string> = {
  'waiting:arrive_partial': 'waiting',
  'waiting:arrive_complete': 'ready',
  'ready:arrive_complete': 'ready',
  'ready:claim': 'loading',
  'loading:queue': 'loading',
  'loading:claim': 'loading',
  'loading:release': 'ready',
  'loading:finish_loaded': 'loaded',
  'loading:finish_failed': 'failed',
  'loaded:arrive_partial': 'waiting',
  'loaded:arrive_complete': 'ready',
  'failed:arrive_partial': 'waiting',
  'failed:arrive_complete': 'ready',
  'loading:finish_superseded': 'superseded',
  'superseded:arrive_partial': 'waiting',
  'superseded:arrive_complete': 'ready',
};

test('every (state, event) pair: legal ones go where the table says, all others are rejected', () => {
  let legal = 0;
  let illegal = 0;
  for (const state of FILE_STATES) {
    for (const event of FILE_EVENTS) {
      const expected = LEGAL[`${state}:${event}`];
      if (expected) {
        assert.equal(transition(state, event), expected, `${state} + ${event}`);
        legal++;
      } else {
        assert.throws(() => transition(state, event), (e: unknown) => e instanceof IllegalTransitionError && e.from === state && e.event === event);
        illegal++;
      }
    }
  }
  assert.equal(legal, Object.keys(LEGAL).length);
  assert.equal(legal + illegal, FILE_STATES.length * FILE_EVENTS.length);
});

test('the transition table has no duplicate rows and only known states and events', () => {
  const keys = TRANSITIONS.map(([from, event]) => `${from}:${event}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(new Set(keys), new Set(Object.keys(LEGAL)));
});

test('a claim is never possible before the round is complete or after it ended', () => {
  for (const state of ['waiting', 'loaded', 'failed', 'superseded'] as const) assert.throws(() => transition(state, 'claim'), IllegalTransitionError);
});

test('terminal states are loaded, failed and superseded only', () => {
  assert.deepEqual(
    FILE_STATES.filter((s) => isTerminal(s)),
    ['loaded', 'failed', 'superseded'],
  );
});

test('every state is reachable from waiting', () => {
  const seen = new Set<string>(['waiting']);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [from, , to] of TRANSITIONS) if (seen.has(from) && !seen.has(to)) (seen.add(to), (grew = true));
  }
  assert.deepEqual(seen, new Set(FILE_STATES));
});
