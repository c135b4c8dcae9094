import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalError } from '../../../lib/errors.js';
import { checkRowCount, parseTrailer } from '../../../lib/validate/index.js';

function fails(run: () => unknown, message: string, file: string, line: number): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TerminalError, String(error));
    assert.equal(error.message, message);
    assert.deepEqual(error.context, { file, line });
    return true;
  });
}

test('the trailer count is read from its 1-based column', () => {
  assert.deepEqual(parseTrailer('TRAILER,2,EOF', 4, { rowCountColumn: 2 }, 'eod.csv', ','), { expectedRows: 2 });
  assert.deepEqual(parseTrailer('5', 7, { rowCountColumn: 1 }, 'eod.csv', ','), { expectedRows: 5 });
});

test('the trailer is split with the mapping delimiter, quotes allowed, a line end tolerated', () => {
  assert.deepEqual(parseTrailer('TRAILER|"a|b"|" 1024 "\r\n', 9, { rowCountColumn: 3 }, 'p.psv', '|'), { expectedRows: 1024 });
  assert.deepEqual(parseTrailer('TRAILER\t3', 2, { rowCountColumn: 2 }, 'p.tsv', '\t'), { expectedRows: 3 });
  assert.deepEqual(parseTrailer('TRAILER;3;EOF', 2, { rowCountColumn: 2 }, 'p.csv', ';'), { expectedRows: 3 });
});

test('a trailer whose column is not a count names the data file and the trailer line, and hints at the neighbour', () => {
  fails(
    () => parseTrailer('TRAILER,2,EOF', 4, { rowCountColumn: 1 }, 'eod_prices_20240115.csv', ','),
    'eod_prices_20240115.csv line 4: trailer column 1 "TRAILER" is not a whole number (columns count from 1; column 2 holds "2")',
    'eod_prices_20240115.csv',
    4,
  );
  fails(
    () => parseTrailer('T001,2024-01-15,100', 4, { rowCountColumn: 2 }, 'eod.csv', ','),
    'eod.csv line 4: trailer column 2 "2024-01-15" is not a whole number (columns count from 1; column 3 holds "100")',
    'eod.csv',
    4,
  );
  fails(() => parseTrailer('TRAILER,two,EOF', 12, { rowCountColumn: 2 }, 'eod.csv', ','), 'eod.csv line 12: trailer column 2 "two" is not a whole number', 'eod.csv', 12);
  fails(
    () => parseTrailer('TRAILER,2', 3, { rowCountColumn: 5 }, 'eod.csv', ','),
    'eod.csv line 3: trailer column 5 is past the end of the line, which has 2 column(s)',
    'eod.csv',
    3,
  );
  assert.throws(() => parseTrailer('TRAILER,"2', 3, { rowCountColumn: 2 }, 'eod.csv', ','), /^TerminalError: eod\.csv line 3: can't be read as CSV/);
});

test('checkRowCount passes when the counts agree', () => {
  assert.equal(checkRowCount({ rows: 3, file: 'trades_1.go', line: 1 }, 3, 'trades_1.csv'), undefined);
  assert.equal(checkRowCount({ rows: 0, file: 'e.csv', line: 2 }, 0, 'e.csv'), undefined);
});

test('checkRowCount fails with expected, found and where the count was stated', () => {
  fails(() => checkRowCount({ rows: 3, file: 'trades_1.go', line: 1 }, 2, 'trades_1.csv'), 'trades_1.csv: expected 3 rows (trades_1.go line 1), found 2', 'trades_1.go', 1);
  fails(() => checkRowCount({ rows: 1, file: 'eod.csv', line: 5 }, 4, 'eod.csv'), 'eod.csv: expected 1 row (eod.csv line 5), found 4', 'eod.csv', 5);
});

test('with a marker, a last line that does not start with it is no trailer: the file fails instead of losing a row', () => {
  const rule = { rowCountColumn: 2, marker: 'TRAILER' };
  assert.deepEqual(parseTrailer('TRAILER,9,EOF', 11, rule, 'eod.csv', ','), { expectedRows: 9 });
  assert.deepEqual(parseTrailer('"TRAILER",9', 11, rule, 'eod.csv', ','), { expectedRows: 9 }, 'quoted');
  assert.deepEqual(parseTrailer(' TRAILER ,9', 11, rule, 'eod.csv', ','), { expectedRows: 9 }, 'with spaces around it');
  fails(() => parseTrailer('10,9', 11, rule, 'eod.csv', ','), 'eod.csv line 11: no trailer line: the last line starts with "10", not the marker "TRAILER"', 'eod.csv', 11);
  fails(() => parseTrailer('trailer,9', 11, rule, 'eod.csv', ','), 'eod.csv line 11: no trailer line: the last line starts with "trailer", not the marker "TRAILER"', 'eod.csv', 11);
  // Without a marker the same line is taken for the trailer: its count column decides.
  assert.deepEqual(parseTrailer('10,9', 11, { rowCountColumn: 2 }, 'eod.csv', ','), { expectedRows: 9 });
});
