// Line endings outside quotes: a lone CR, a CR that ends nothing, LF and CRLF mixed, and the LF copy that loads the mix.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { bareCarriageReturn, findLineEndingProblem, normalizeLineEnds } from '../../../lib/load/index.js';

const stream = (text: string, chunk = 3) => Readable.from(Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) => Buffer.from(text.slice(i * chunk, (i + 1) * chunk))));

async function normalized(text: string): Promise<string> {
  const out: Buffer[] = [];
  for await (const piece of stream(text).pipe(normalizeLineEnds(','))) out.push(piece as Buffer);
  return Buffer.concat(out).toString();
}

test('finds the first line whose ending differs from the first line’s, and a CR that ends no line', async () => {
  assert.deepEqual(await findLineEndingProblem(stream('a,b\n1,2\r\n3,4\n'), ','), { kind: 'mixed', line: 2 });
  assert.deepEqual(await findLineEndingProblem(stream('a,b\r\n1,2\r\n3,4\n'), ','), { kind: 'mixed', line: 3 });
  assert.deepEqual(await findLineEndingProblem(stream('a,b\n1,x\ry\n'), ','), { kind: 'bare-cr', line: 2 });
  assert.equal(await findLineEndingProblem(stream('a,b\r\n1,2\r\n'), ','), undefined);
  assert.equal(await findLineEndingProblem(stream('a,b\n1,"x\r\ny"\n2,"q""\r\n"\n'), ','), undefined, 'inside quotes a CRLF is part of the value');
});

test('the LF copy drops only the CR of a CRLF outside quotes, across chunk boundaries', async () => {
  assert.equal(await normalized('a,b\r\n1,2\n3,"x\r\ny"\r\n'), 'a,b\n1,2\n3,"x\r\ny"\n');
  assert.equal(await normalized('a,b\n1,x\ry\n'), 'a,b\n1,x\ry\n', 'a CR that ends nothing stays');
  assert.equal(await normalized('a,b\r'), 'a,b\r', 'a CR at the very end stays');
});

test('a header line with a CR that ends no line is a lone-CR file; the CRLF of the header is not', () => {
  assert.equal(bareCarriageReturn(Buffer.from('a,b\r1,2\r'), ','), 3);
  assert.equal(bareCarriageReturn(Buffer.from('a,b\r'), ','), -1);
  assert.equal(bareCarriageReturn(Buffer.from('"a\rb",c'), ','), -1, 'a CR inside quotes is the name’s (and fails as a control character)');
});
