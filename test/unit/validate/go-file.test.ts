import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GoFileRule } from '../../../lib/config/index.js';
import { TerminalError } from '../../../lib/errors.js';
import { parseGoFile as parseFor } from '../../../lib/validate/index.js';
import type { DataFileName } from '../../../lib/validate/index.js';

const properties: GoFileRule = { pattern: 'trades_*.go', format: 'properties', rowCountKey: 'record_count' };
const csv: GoFileRule = { pattern: 'positions_*.ctl', format: 'csv', rowCountColumn: 2 };
const data: DataFileName = { name: 'positions.csv', path: 'day1/positions.csv' };
/** The count checks, for a mapping that reads nothing else (no name or status). */
const parseGoFile = (text: string, rule: GoFileRule, name: string) => parseFor(text, rule, name, data);

/** Asserts a TerminalError with exactly this message and {file, line} context. */
function fails(run: () => unknown, message: string, file: string, line: number): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TerminalError, String(error));
    assert.equal(error.message, message);
    assert.deepEqual(error.context, { file, line });
    assert.equal(error.retryable, false);
    return true;
  });
}

test('properties: the count and its line', () => {
  assert.deepEqual(parseGoFile('record_count=12345\ntimestamp=2024-01-15T10:30:00Z\n', properties, 't.go'), { expectedRows: 12345, line: 1 });
});

test('properties: comments, blank lines, CRLF, BOM and spaces around key and value', () => {
  const text = '\uFEFF# extract\r\n! vendor comment\r\n\r\n  timestamp = 2024-01-15T10:30:00Z \r\n  record_count =  42  \r\n';
  assert.deepEqual(parseGoFile(text, properties, 't.go'), { expectedRows: 42, line: 5 });
});

test('properties: a key repeated with the same value is fine; leading zeros are digits', () => {
  assert.deepEqual(parseGoFile('record_count=007\nrecord_count=007\n', properties, 't.go'), { expectedRows: 7, line: 1 });
  assert.deepEqual(parseGoFile('record_count=0\n', properties, 't.go'), { expectedRows: 0, line: 1 });
});

test('properties: a count that is not a whole number names the go file and line', () => {
  fails(
    () => parseGoFile('timestamp=2024-01-15T10:30:00Z\nrecord_count=12a\n', properties, 'trades_20240115.go'),
    'trades_20240115.go line 2: record_count "12a" is not a whole number',
    'trades_20240115.go',
    2,
  );
  for (const bad of ['', '-1', '1.5', '1e3', '1 000', '0x10', '١٢']) {
    assert.throws(() => parseGoFile(`record_count=${bad}\n`, properties, 't.go'), /t\.go line 1: record_count ".*" is not a whole number/, bad);
  }
  fails(() => parseGoFile('record_count=99999999999999999999\n', properties, 't.go'), 't.go line 1: record_count "99999999999999999999" is too large to be a row count', 't.go', 1);
});

test('properties: a missing key lists the keys that are there', () => {
  fails(
    () => parseGoFile('# header\ntimestamp=2024-01-15T10:30:00Z\nrecords=3\n\n', properties, 'trades_20240115.go'),
    'trades_20240115.go lines 1-3: no record_count=… line (keys found: timestamp, records)',
    'trades_20240115.go',
    1,
  );
  fails(() => parseGoFile('# only a comment\nrecord_count 3\n', properties, 't.go'), 't.go lines 1-2: no record_count=… line (no key=value lines at all)', 't.go', 1);
});

test('properties: one key with two different values is refused at the second', () => {
  fails(
    () => parseGoFile('record_count=3\ntimestamp=x\nrecord_count=4\n', properties, 't.go'),
    't.go line 3: record_count is given twice, "3" (line 1) and "4"',
    't.go',
    3,
  );
});

test('an empty go file fails at line 1, whatever the format', () => {
  for (const text of ['', '\n\n', ' \r\n']) {
    fails(() => parseGoFile(text, properties, 'e.go'), 'e.go line 1: the go file is empty', 'e.go', 1);
    fails(() => parseGoFile(text, csv, 'e.ctl'), 'e.ctl line 1: the go file is empty', 'e.ctl', 1);
  }
});

test('csv: one line, 1-based column, trailing blank lines and CRLF ignored', () => {
  assert.deepEqual(parseGoFile('trades_20240115.csv,12345,SUCCESS\r\n\r\n\n', csv, 'p.ctl'), { expectedRows: 12345, line: 1 });
  assert.deepEqual(parseGoFile('"positions_2024,01.csv", 8 ,SUCCESS', csv, 'p.ctl'), { expectedRows: 8, line: 1 });
  assert.deepEqual(parseGoFile('\npositions.csv,8\n', csv, 'p.ctl'), { expectedRows: 8, line: 2 });
});

test('csv: column out of range, not a number, two lines, unreadable CSV', () => {
  fails(() => parseGoFile('positions.csv\n', csv, 'p.ctl'), 'p.ctl line 1: column 2 is past the end of the line, which has 1 column(s)', 'p.ctl', 1);
  fails(
    () => parseGoFile('positions.csv,SUCCESS,8\n', csv, 'p.ctl'),
    'p.ctl line 1: column 2 "SUCCESS" is not a whole number (columns count from 1; column 3 holds "8")',
    'p.ctl',
    1,
  );
  fails(() => parseGoFile('positions.csv,8,OK\npositions.csv,9,OK\n', csv, 'p.ctl'), 'p.ctl line 2: a csv go file has one line, but line 1 is followed by another', 'p.ctl', 2);
  assert.throws(() => parseGoFile('"positions.csv,8\n', csv, 'p.ctl'), /^TerminalError: p\.ctl line 1: can't be read as CSV: Quote Not Closed/);
});

test('a csv go file that names another file, or says another status than status_ok, fails the data file at its line', () => {
  const seed: GoFileRule = { ...csv, nameColumn: 1, statusColumn: 3 };
  assert.deepEqual(parseFor('positions.csv,8,SUCCESS\n', seed, 'p.ctl', data), { expectedRows: 8, line: 1 });
  assert.deepEqual(parseFor('day1/positions.csv,8,SUCCESS\n', seed, 'p.ctl', data), { expectedRows: 8, line: 1 }, 'its path under landing');
  fails(() => parseFor('\nother.csv,8,SUCCESS\n', seed, 'p.ctl', data), 'p.ctl line 2: column 1 names "other.csv", not this data file (day1/positions.csv): the go file vouches for another file', 'p.ctl', 2);
  fails(() => parseFor('positions.csv,8,FAILED\n', seed, 'p.ctl', data), 'p.ctl line 1: column 3 is "FAILED", not SUCCESS: its producer did not mark the file complete', 'p.ctl', 1);
  fails(() => parseFor('positions.csv,8\n', seed, 'p.ctl', data), 'p.ctl line 1: column 3 is past the end of the line, which has 2 column(s)', 'p.ctl', 1);
  const lenient: GoFileRule = { ...seed, statusOk: ['SUCCESS', 'OK'] };
  assert.deepEqual(parseFor('positions.csv,8,OK\n', lenient, 'p.ctl', data), { expectedRows: 8, line: 1 });
  assert.deepEqual(parseFor('other.csv,8,FAILED\n', csv, 'p.ctl', data), { expectedRows: 8, line: 1 }, 'without name_column and status_column neither is read');
});

test('a properties go file reads the name and status keys the mapping names', () => {
  const rule: GoFileRule = { ...properties, nameKey: 'filename', statusKey: 'status' };
  assert.deepEqual(parseFor('filename=positions.csv\nstatus=SUCCESS\nrecord_count=3\n', rule, 't.go', data), { expectedRows: 3, line: 3 });
  fails(() => parseFor('filename=x.csv\nstatus=SUCCESS\nrecord_count=3\n', rule, 't.go', data), 't.go line 1: key filename names "x.csv", not this data file (day1/positions.csv): the go file vouches for another file', 't.go', 1);
  fails(() => parseFor('filename=positions.csv\nrecord_count=3\n', rule, 't.go', data), 't.go line 1: no status=… line, which the mapping reads', 't.go', 1);
});
