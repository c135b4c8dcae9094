// Avro's named types used again by name: each reference reads as its definition, in its namespace, recursion included.
// A reference read as a type of its own put a decimal inside a record into the table as a Buffer's JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Schema } from 'avsc';
import { avroRecords } from '../../../../lib/load/formats/avro.js';
import { describeFields } from '../../../../lib/load/index.js';
import { openLocalFile } from '../../../../lib/adapters/local/index.js';
import { resolveNames } from '../../../../lib/load/formats/avro-names.js';
import { avscBytes } from '../../../fixtures/formats/avsc-bytes.js';

const MONEY = { type: 'record', name: 'Money', namespace: 'fin', fields: [{ name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } }] };
const SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'price', type: MONEY },
    { name: 'cost', type: 'fin.Money' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'kind_again', type: ['null', 'Kind'] },
    { name: 'ref', type: { type: 'fixed', name: 'Ref', size: 2 } },
    { name: 'ref_again', type: 'Ref' },
    { name: 'chain', type: { type: 'record', name: 'Link', fields: [{ name: 'n', type: 'int' }, { name: 'next', type: ['null', 'Link'] }] } },
  ],
};

test('a reference resolves to its definition: by full name, by short name in its namespace, and to itself', () => {
  const order = resolveNames(SCHEMA as Schema) as unknown as { fields: { name: string; type: never }[] };
  const type = (name: string) => order.fields.find((f) => f.name === name)!.type as { fullName?: string; fields?: { type: unknown }[] } & unknown[];
  assert.equal(type('cost'), type('price'));
  assert.equal(type('cost').fullName, 'fin.Money');
  assert.equal(type('kind_again')[1], type('kind'));
  assert.equal(type('kind').fullName, 'shop.Kind');
  assert.equal(type('ref_again'), type('ref'));
  const link = type('chain');
  assert.equal((link.fields![1]!.type as unknown[])[1], link);
  assert.throws(() => resolveNames({ type: 'record', name: 'R', fields: [{ name: 'x', type: 'Nowhere' }] } as Schema), /refers to a type it does not define: Nowhere/);
});

test('values of referenced types read as their definitions say, and columns take their types', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-names-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cents = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const value = { price: { amount: cents(1234) }, cost: { amount: cents(-500 & 0xffff) }, kind: 'A', kind_again: 'B', ref: Buffer.from([1, 2]), ref_again: Buffer.from([3, 4]), chain: { n: 1, next: { n: 2, next: null } } };
  // The schema as JSON: avsc writes it to the header as given, logical types included.
  const path = join(dir, 'o_1.avro');
  await writeFile(path, await avscBytes(SCHEMA, [value], { wrapUnions: 'auto' }));
  const rows = [];
  for await (const r of avroRecords(await openLocalFile(path))) rows.push(r.values);
  assert.deepEqual(rows, [['{"amount":"12.34"}', '{"amount":"-5.00"}', '"A"', '"B"', '"AQI="', '"AwQ="', '{"n":1,"next":{"n":2,"next":null}}']]);
  const { types } = await describeFields(await openLocalFile(path), { format: 'avro', delimiter: ',', compressed: false });
  assert.deepEqual(types, ['JSON', 'JSON', 'STRING', 'STRING', 'BYTES', 'BYTES', 'JSON']);
});

test('a recursive value nested deeper than a warehouse JSON value may be fails naming its record; 500 levels load', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-deep-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const schema = { type: 'record', name: 'Row', fields: [{ name: 'chain', type: ['null', { type: 'record', name: 'Link', fields: [{ name: 'next', type: ['null', 'Link'] }] }] }] };
  // The row is level 1, as a JSON line's object is: `links` links reach level links + 1.
  const chain = (links: number) => {
    let value: unknown = null;
    for (let i = 0; i < links; i++) value = { next: value };
    return value;
  };
  const read = async (links: number) => {
    const path = join(dir, `deep_${links}.avro`);
    await writeFile(path, await avscBytes(schema, [{ chain: null }, { chain: chain(links) }], { wrapUnions: 'auto' }));
    const rows = [];
    for await (const r of avroRecords(await openLocalFile(path))) rows.push(r.values[0]!);
    return rows;
  };
  const rows = await read(499);
  assert.equal(rows.length, 2);
  assert.equal(rows[1], `${'{"next":'.repeat(499)}null${'}'.repeat(499)}`);
  await assert.rejects(read(500), /^TerminalError: deep_500\.avro record 2: a value is nested deeper than 500 levels, more than a warehouse JSON value may have$/);
});

/** Avro's long: zigzag, then 7 bits a byte, low first. */
function avroLong(n: number): Buffer {
  const bytes: number[] = [];
  for (let z = n >= 0 ? n * 2 : -n * 2 - 1; ; z = Math.floor(z / 128)) {
    if (z < 128) return Buffer.from([...bytes, z]);
    bytes.push((z % 128) | 0x80);
  }
}

/** A container file written byte by byte: no writer encodes a value this deep (avsc's and fastavro's recurse). */
function containerOf(schema: unknown, count: number, data: Buffer): Buffer {
  const text = (s: string | Buffer) => Buffer.concat([avroLong(Buffer.byteLength(s)), Buffer.from(s)]);
  const sync = Buffer.alloc(16, 0xa5);
  const meta = Buffer.concat([avroLong(1), text('avro.schema'), text(JSON.stringify(schema)), avroLong(0)]);
  return Buffer.concat([Buffer.from('Obj\x01', 'latin1'), meta, sync, avroLong(count), avroLong(data.length), data, sync]);
}

test('a value nested past what the decoder can recurse (a million links) fails naming its record and the depth limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'avro-deeper-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const schema = { type: 'record', name: 'Row', fields: [{ name: 'chain', type: ['null', { type: 'record', name: 'Link', fields: [{ name: 'next', type: ['null', 'Link'] }] }] }] };
  const links = 1_000_000;
  // Record 1: no chain. Record 2: one link. Record 3: `links` links. A link is the union's second branch (1, zigzag 2);
  // a chain ends with its first (null: 0).
  const data = Buffer.concat([Buffer.from([0]), Buffer.from([2, 0]), Buffer.alloc(links, 2), Buffer.from([0])]);
  const path = join(dir, 'deeper.avro');
  await writeFile(path, containerOf(schema, 3, data));
  const lines: number[] = [];
  await assert.rejects(async () => {
    for await (const r of avroRecords(await openLocalFile(path))) lines.push(r.line);
  }, /^TerminalError: deeper\.avro record 3: a value is nested deeper than 500 levels, more than a warehouse JSON value may have$/);
  assert.deepEqual(lines, [1, 2]);
});
