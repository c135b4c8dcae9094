import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseNameOf, batchKeyOf, expandPattern, overlapWitness, splitPattern } from '../../../lib/match/index.js';

test('splitPattern needs exactly one *', () => {
  assert.deepEqual(splitPattern('trades_*.csv'), { prefix: 'trades_', suffix: '.csv' });
  assert.deepEqual(splitPattern('*'), { prefix: '', suffix: '' });
  assert.equal(splitPattern('trades.csv'), undefined);
  assert.equal(splitPattern('a_*_*.csv'), undefined);
});

test('batchKeyOf returns what * stands for', () => {
  assert.equal(batchKeyOf('trades_*.csv', 'trades_20240115.csv'), '20240115');
  assert.equal(batchKeyOf('*.csv', 'x.csv'), 'x');
  assert.equal(batchKeyOf('trades_*', 'trades_a.b.c'), 'a.b.c');
});

test('batchKeyOf rejects non-matches, empty keys and keys with folders', () => {
  assert.equal(batchKeyOf('trades_*.csv', 'trades_20240115.go'), undefined);
  assert.equal(batchKeyOf('trades_*.csv', 'xtrades_1.csv'), undefined);
  assert.equal(batchKeyOf('trades_*.csv', 'Trades_1.csv'), undefined, 'object names are case-sensitive');
  assert.equal(batchKeyOf('trades_*.csv', 'trades_.csv'), undefined);
  assert.equal(batchKeyOf('a*a', 'a'), undefined, 'prefix and suffix may not share characters');
  assert.equal(batchKeyOf('a*a', 'aba'), 'b');
  assert.equal(batchKeyOf('trades_*.csv', 'trades_x/y.csv'), undefined);
  assert.equal(batchKeyOf('no_star.csv', 'no_star.csv'), undefined);
});

test('expandPattern is the inverse of batchKeyOf', () => {
  assert.equal(expandPattern('trades_*.go', '20240115'), 'trades_20240115.go');
  assert.equal(batchKeyOf('trades_*.go', expandPattern('trades_*.go', 'k')), 'k');
  assert.throws(() => expandPattern('trades.go', 'k'), /exactly one \*/);
});

test('overlapWitness finds a name both patterns match, or none', () => {
  const cases: [string, string, boolean][] = [
    ['trades_*.csv', 'trades_*.csv', true],
    ['trades_*.csv', 'trades_eu_*.csv', true],
    ['trades_*', 'trades_*.go', true],
    ['*.csv', 'trades_*.csv', true],
    ['a*b', 'ab*', true],
    ['*_x.csv', 'a_*.csv', true],
    ['trades_*.csv', 'trades_*.go', false],
    ['trades_*.csv', 'positions_*.csv', false],
    ['a_*.csv', 'b*.csv', false],
    ['x_*.csv', 'x_*.csv.gz', false],
  ];
  for (const [a, b, overlaps] of cases) {
    const witness = overlapWitness(a, b);
    assert.equal(witness !== undefined, overlaps, `${a} vs ${b}`);
    assert.equal(overlapWitness(b, a) !== undefined, overlaps, `${b} vs ${a} (symmetric)`);
    if (witness !== undefined) {
      assert.notEqual(batchKeyOf(a, witness), undefined, `${witness} matches ${a}`);
      assert.notEqual(batchKeyOf(b, witness), undefined, `${witness} matches ${b}`);
    }
  }
});

test('overlapWitness agrees with brute force over short names', () => {
  const patterns = ['a*', '*a', 'a*a', 'ab*', '*ba', 'b*', '*', 'a*b', 'aa*', '*aa', 'ab*ba'];
  const names: string[] = [''];
  for (let length = 1; length <= 6; length++) {
    for (const name of names.filter((n) => n.length === length - 1)) names.push(name + 'a', name + 'b');
  }
  for (const a of patterns) {
    for (const b of patterns) {
      const brute = names.some((n) => batchKeyOf(a, n) !== undefined && batchKeyOf(b, n) !== undefined);
      assert.equal(overlapWitness(a, b) !== undefined, brute, `${a} vs ${b}`);
    }
  }
});

test('baseNameOf drops folders', () => {
  assert.equal(baseNameOf('incoming/2024/trades_1.csv'), 'trades_1.csv');
  assert.equal(baseNameOf('trades_1.csv'), 'trades_1.csv');
  assert.equal(baseNameOf('incoming/'), '');
});
