// landfall's CSV rules as the lexer reads them, whatever the chunking of the bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvSyntaxError, csvRecords, firstRecord } from '../../../lib/load/index.js';
import type { CsvRecord } from '../../../lib/load/index.js';

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The records of `text` (or the broken rule), the same for every chunk size or the test fails. */
async function read(text: string | Buffer, delimiter = ','): Promise<[number, string[]][] | { line: number; what: string }> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const results = [];
  for (const size of [1, 2, 3, 7, 1 << 20]) {
    const out: CsvRecord[] = [];
    try {
      for await (const record of csvRecords(chunks(bytes, size), delimiter)) out.push(record);
      results.push(out.map((r) => [r.line, r.fields] as [number, string[]]));
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      results.push({ line: error.line, what: error.what });
    }
  }
  for (const result of results.slice(1)) assert.deepEqual(result, results[0], 'every chunking reads alike');
  return results[0]!;
}

test('records end at LF or CRLF outside quotes, mixed in one file; values keep theirs', async () => {
  assert.deepEqual(await read('a,b\n1,2\r\n3,"x\r\ny"\n'), [[1, ['a', 'b']], [2, ['1', '2']], [3, ['3', 'x\r\ny']]]);
});

test('a CR that ends the file ends its last line; any other lone CR outside quotes breaks it at its line', async () => {
  assert.deepEqual(await read('a,b\n1,2\n3,4\r'), [[1, ['a', 'b']], [2, ['1', '2']], [3, ['3', '4']]]);
  assert.deepEqual(await read('a,b\n1,x\ry\n'), { line: 2, what: 'a lone carriage return (CR) outside quotes ends no line (old Mac files end every line so): quote the value that holds it, or end lines with LF or CRLF' });
  assert.deepEqual(await read('a,b\n1,"x\ry"\n'), [[1, ['a', 'b']], [2, ['1', 'x\ry']]]);
});

test('blank lines are no records, but the first line is always the header; a quoted empty line is a record', async () => {
  assert.deepEqual(await read('v\nx\n\r\n\ny\n\n'), [[1, ['v']], [2, ['x']], [5, ['y']]]);
  assert.deepEqual(await read('\nv\nx\n'), [[1, ['']], [2, ['v']], [3, ['x']]]);
  assert.deepEqual(await read('v\n""\n'), [[1, ['v']], [2, ['']]]);
  assert.deepEqual(await read('a,b\n  \n'), [[1, ['a', 'b']], [2, ['  ']]], 'spaces are a value');
});

test('quotes: doubled inside, literal inside an unquoted value, and nothing but a delimiter or line end after the closing one', async () => {
  assert.deepEqual(await read('a,b\n"x""y",z"w\n'), [[1, ['a', 'b']], [2, ['x"y', 'z"w']]]);
  assert.deepEqual(await read('a,b\n1,"x"y\n'), { line: 2, what: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)' });
  assert.deepEqual(await read('a,b\n1,2\n3,"open\n4,5\n'), { line: 3, what: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)' });
});

test('a multi-byte delimiter splits fields as a comma does, quoted CRs and line numbers included', async () => {
  assert.deepEqual(await read('a¶b\r\n1¶"x\r\ny"\n2¶z\r\n', '¶'), [[1, ['a', 'b']], [2, ['1', 'x\r\ny']], [4, ['2', 'z']]]);
  assert.deepEqual(await read('a¶b\n1¶"x\ny"\n2¶z¶extra\n', '¶'), [[1, ['a', 'b']], [2, ['1', 'x\ny']], [4, ['2', 'z', 'extra']]]);
  // ¢ (C2 A2) starts with the first byte of ¶ (C2 B6): a false start that is the value's, or text after a closing quote.
  assert.deepEqual(await read('a¶b\n1¢¶2\n', '¶'), [[1, ['a', 'b']], [2, ['1¢', '2']]]);
  assert.deepEqual(await read('a¶b\n"x"¢z\n', '¶'), { line: 2, what: 'a quoted value is not closed properly (unterminated quote, or text after a closing quote)' });
  assert.deepEqual(await read('a¶b\n"x"¶"y"\n', '¶'), [[1, ['a', 'b']], [2, ['x', 'y']]]);
});

test('a BOM at the start is dropped; NUL bytes and bad UTF-8 break the file at their lines', async () => {
  assert.deepEqual(await read('\uFEFFa,b\n1,2\n'), [[1, ['a', 'b']], [2, ['1', '2']]]);
  assert.deepEqual(await read(Buffer.from([0xef, 0xbb, 0x61, 0x0a])), { line: 1, what: 'the bytes are not valid UTF-8 (files must be UTF-8 encoded)' });
  assert.deepEqual(await read('a,b\n1,"x\ny\0"\n'), { line: 3, what: 'the line holds a NUL byte (0x00), which no warehouse column may hold' });
  assert.deepEqual(await read(Buffer.from('a,b\n1,M\xfcller\n', 'latin1')), { line: 2, what: 'the bytes are not valid UTF-8 (files must be UTF-8 encoded)' });
});

test('the first record and where it ends, from the head alone', () => {
  assert.deepEqual(firstRecord(Buffer.from('a,b\n1,2\n'), ','), { record: { line: 1, fields: ['a', 'b'] }, end: 4 });
  assert.deepEqual(firstRecord(Buffer.from('"a\nb",c\r\n1\n'), ',')?.end, 9);
  assert.equal(firstRecord(Buffer.from('a,"open'), ','), undefined);
  assert.deepEqual(firstRecord(Buffer.from('a,b'), ',', true), { record: { line: 1, fields: ['a', 'b'] }, end: 3 });
});
