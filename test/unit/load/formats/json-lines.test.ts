// landfall's own JSON-lines reader: each line one object, values kept as written, a bad line named by its number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_JSON_DEPTH, describeJsonLines, readJsonLine, splitObject, textOfJson } from '../../../../lib/load/index.js';
import { openLocalFile } from '../../../../lib/adapters/local/index.js';

test('an object splits into its keys and each value as written: numbers keep their digits, nesting is minified', () => {
  const text = '{ "a" : 12345678901234567890, "b":1.5e+300 ,"c":{"d": [1, 2.50]},"e":"x,}{\\"y","f":null,"g":true,"h":[] }';
  const split = splitObject(text);
  assert.deepEqual(split.keys, ['a', 'b', 'c', 'e', 'f', 'g', 'h']);
  assert.deepEqual(split.values, ['12345678901234567890', '1.5e+300', '{"d":[1,2.50]}', '"x,}{\\"y"', 'null', 'true', '[]']);
  assert.equal(split.depth, 3);
  assert.deepEqual(splitObject('{}'), { keys: [], values: [], depth: 1 });
  assert.deepEqual(splitObject('{ }'), { keys: [], values: [], depth: 1 });
  // An escaped key is decoded; whitespace inside a nested value's strings is kept, outside them dropped.
  const escaped = splitObject('{"k\\u00e9\\"":{ "s" : "x y" , "t":[ {} ] },"z":-0.0}');
  assert.deepEqual(escaped.keys, ['k\u00e9"', 'z']);
  assert.deepEqual(escaped.values, ['{"s":"x y","t":[{}]}', '-0.0']);
  assert.equal(escaped.depth, 4);
});

test('a value as a string column holds it: a string its text, null NULL, anything else its JSON text', () => {
  assert.equal(textOfJson('"a\\nb"'), 'a\nb');
  assert.equal(textOfJson('"plain, \'quoted\'"'), "plain, 'quoted'");
  assert.equal(textOfJson('null'), null);
  assert.equal(textOfJson(undefined), null);
  assert.equal(textOfJson('1E2'), '1E2');
  assert.equal(textOfJson('{"x":1.50}'), '{"x":1.50}');
});

test('a line that is not one object, not JSON, holds a key twice or nests too deep is named with what is wrong', () => {
  const where = { file: 'e.jsonl' };
  assert.throws(() => readJsonLine('[1,2]', 4, where), /^TerminalError: e\.jsonl line 4: not a JSON object but an array/);
  assert.throws(() => readJsonLine('"x"', 2, where), /e\.jsonl line 2: not a JSON object but a string/);
  assert.throws(() => readJsonLine('{"a":', 3, where), /e\.jsonl line 3: not valid JSON/);
  assert.throws(() => readJsonLine('{"a":1,"b":2,"a":3}', 5, where), /e\.jsonl line 5: the key "a" appears twice in one object/);
  const deep = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
  assert.doesNotThrow(() => readJsonLine(deep(MAX_JSON_DEPTH), 1, where));
  assert.throws(() => readJsonLine(deep(MAX_JSON_DEPTH + 1), 1, where), /nested deeper than 500 levels \(501\)/);
});

test("a file's keys are every key of every object in the order first seen, blank and CRLF lines read as JSON lines are", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'jsonl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A BOM starts the file, and another a later line (two files joined with cat): RFC 8259 lets a parser drop both.
  const text = '\uFEFF{"a":1,"b":2}\r\n\r\n\uFEFF{"c":3}\n   \n{"b":4,"d":5}';
  const plain = join(dir, 'e_1.jsonl');
  await writeFile(plain, text);
  const shape = await describeJsonLines(await openLocalFile(plain), false);
  assert.deepEqual(shape, { keys: ['a', 'b', 'c', 'd'], firstLines: [1, 1, 3, 5], records: 3 });
  const gz = join(dir, 'e_1.jsonl.gz');
  await writeFile(gz, gzipSync(text));
  assert.deepEqual((await describeJsonLines(await openLocalFile(gz), true)).keys, ['a', 'b', 'c', 'd']);
  const blank = join(dir, 'e_2.jsonl');
  await writeFile(blank, '\n\n');
  await assert.rejects(describeJsonLines(await openLocalFile(blank), false), /e_2\.jsonl line 1: the file holds no JSON object/);
});
