import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordScanner, firstRecordEnd, physicalLineOf } from '../../../lib/load/index.js';

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test('the first record ends at the first newline outside quotes', () => {
  assert.equal(firstRecordEnd(Buffer.from('a,b\n1,2\n'), ','), 3);
  assert.equal(firstRecordEnd(Buffer.from('"a\nb",c\n1\n'), ','), 7);
  assert.equal(firstRecordEnd(Buffer.from('"a ""x"" b",c\r\n'), ','), 14);
  assert.equal(firstRecordEnd(Buffer.from('a,"open'), ','), -1);
});

test('a quote inside an unquoted value does not open a quoted value', () => {
  assert.equal(firstRecordEnd(Buffer.from('a"b,c\nx'), ','), 5);
});

test('record lines map to physical lines across values with line breaks, whatever the chunking', async () => {
  const text = 'a,b\n1,"x\ny\nz"\n\n2,3,4\n';
  for (const size of [1, 3, 100]) {
    assert.equal(await physicalLineOf(chunks(text, size), ',', 1), 1);
    assert.equal(await physicalLineOf(chunks(text, size), ',', 2), 2);
    assert.equal(await physicalLineOf(chunks(text, size), ',', 3), 5, 'the blank line');
    assert.equal(await physicalLineOf(chunks(text, size), ',', 4), 6);
  }
});

test('the scanner counts both kinds of line', () => {
  const scanner = new RecordScanner(';');
  assert.equal(scanner.scan(Buffer.from('a;"x\ny";b\nc\n'), 99), -1);
  assert.deepEqual([scanner.physicalLine, scanner.recordLine], [4, 3]);
});
