// The promotion contract: both warehouses move a drifted field out of `_extra` into a column, or change nothing and say why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalError } from '../../lib/errors.js';
import { promotionOf } from '../../lib/promote/index.js';
import type { Promote, PromoteResult } from '../../lib/promote/index.js';
import { loadText, mappingOf, withHarness } from './warehouse-contract.js';
import type { WarehouseHarness } from './warehouse-contract.js';

export interface PromoteHarness extends WarehouseHarness {
  promote: Promote;
  /** Sets `_extra` of the rows whose `id` is `id` (JSON text): values a CSV cannot give (numbers, null, a key twice). */
  setExtra(table: string, id: string, json: string): Promise<void>;
  /** Creates a table landfall did not make: columns `id` and `name`, no `_extra` or `_load_id`. */
  plainTable(table: string): Promise<void>;
}

export interface PromoteContractOptions {
  name: string;
  newHarness: () => Promise<PromoteHarness>;
  /** The warehouse's names of the string, INTEGER and DATE types, as a result names them. */
  types: { string: string; integer: string; date: string };
  /** Field names that need quoting or escaping somewhere (a JSON path, SQL), that this warehouse takes as column names. */
  oddFields: readonly string[];
}

const promote = async (h: PromoteHarness, table: string, field: string, type?: string): Promise<PromoteResult> => h.promote(promotionOf(table, field, type));
const csvField = (name: string) => `"${name.replaceAll('"', '""')}"`;
const extraOf = (row: Record<string, string | null> | undefined) => (row?._extra == null ? null : JSON.parse(row._extra));
const byId = (rows: Record<string, string | null>[] | undefined, id: string) => rows?.find((r) => r.id === id);

/** Everything a failed promotion must leave as it was: the table's columns, every row, every load_metadata row. */
async function snapshot(h: PromoteHarness, table: string) {
  return { columns: await h.columns(table), rows: await h.rows(table), metadata: await h.metadata() };
}

async function refuses(h: PromoteHarness, table: string, run: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = await snapshot(h, table);
  await assert.rejects(run(), (error: unknown) => error instanceof TerminalError && message.test(error.message));
  assert.deepEqual(await snapshot(h, table), before, 'nothing changed');
}

export function runPromoteContract(options: PromoteContractOptions): void {
  const it = (name: string, body: (h: PromoteHarness) => Promise<void>) => test(`${options.name}: ${name}`, withHarness(options, body));

  it('moves a drifted field into a new string column, from every spelling, and leaves _extra NULL where nothing is left', async (h) => {
    await loadText(h, 't_a.csv', 'id,name\n1,Ann\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,name,Venue,desk\n2,Bo,XETR,d2\n3,Cy,,d3\n', mappingOf('t'));
    await loadText(h, 't_c.csv', 'id,venue\n4,XLON\n', mappingOf('t'));
    const result = await promote(h, 't', 'venue');
    assert.deepEqual(result, { table: 't', column: 'venue', type: options.types.string, rows: 3, keys: ['Venue', 'venue'] });
    assert.deepEqual(await h.columns('t'), ['id', 'name', '_extra', '_load_id', 'venue']);
    const rows = await h.rows('t');
    assert.deepEqual([byId(rows, '1')?.venue, extraOf(byId(rows, '1'))], [null, null]);
    assert.deepEqual([byId(rows, '2')?.venue, extraOf(byId(rows, '2'))], ['XETR', { desk: 'd2' }]);
    assert.deepEqual([byId(rows, '3')?.venue, extraOf(byId(rows, '3'))], ['', { desk: 'd3' }]);
    assert.deepEqual([byId(rows, '4')?.venue, byId(rows, '4')?._extra], ['XLON', null]);
  });

  it('casts to INTEGER and DATE; an empty text is NULL in a typed column', async (h) => {
    await loadText(h, 't_a.csv', 'id\n0\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,qty,day\n1,12,2024-01-15\n2,,2024-02-29\n', mappingOf('t'));
    assert.equal((await promote(h, 't', 'qty', 'integer')).type, options.types.integer);
    assert.equal((await promote(h, 't', 'day', 'DATE')).type, options.types.date);
    const rows = await h.rows('t');
    assert.deepEqual([byId(rows, '1')?.qty, byId(rows, '1')?.day, byId(rows, '1')?._extra], ['12', '2024-01-15', null]);
    assert.deepEqual([byId(rows, '2')?.qty, byId(rows, '2')?.day], [null, '2024-02-29']);
  });

  it('takes JSON values as they are: a number or bool by its JSON text, an object as JSON, a JSON null as NULL', async (h) => {
    await loadText(h, 't_a.csv', 'id\n1\n2\n', mappingOf('t'));
    await h.setExtra('t', '1', '{"n": 7, "ok": true, "o": {"a": [1, "x"]}, "z": null, "keep": "k"}');
    await h.setExtra('t', '2', '{"n": "8", "z": "zz"}');
    await promote(h, 't', 'n', 'BIGINT');
    await promote(h, 't', 'ok', 'BOOLEAN');
    await promote(h, 't', 'o', 'JSON');
    assert.equal((await promote(h, 't', 'z')).rows, 2);
    const rows = await h.rows('t');
    assert.deepEqual([byId(rows, '1')?.n, byId(rows, '1')?.ok, JSON.parse(byId(rows, '1')?.o ?? 'null'), byId(rows, '1')?.z], ['7', 'true', { a: [1, 'x'] }, null]);
    assert.deepEqual(extraOf(byId(rows, '1')), { keep: 'k' });
    assert.deepEqual([byId(rows, '2')?.n, byId(rows, '2')?.z, byId(rows, '2')?._extra], ['8', 'zz', null]);
  });

  it('promotes fields whose names need quoting in a JSON path or in SQL', async (h) => {
    for (const [i, field] of options.oddFields.entries()) {
      const table = `odd${i}`;
      await loadText(h, `${table}_a.csv`, 'id\n0\n', mappingOf(table));
      await loadText(h, `${table}_b.csv`, `id,${csvField(field)},other\n1,v${i},o\n`, mappingOf(table));
      assert.equal((await promote(h, table, field)).rows, 1, field);
      const row = byId(await h.rows(table), '1');
      assert.deepEqual([row?.[field], extraOf(row)], [`v${i}`, { other: 'o' }], field);
    }
  });

  it('a value that does not cast changes nothing, and the error names the table, field, type, load and value', async (h) => {
    await loadText(h, 't_a.csv', 'id\n0\n', mappingOf('t'));
    const a = await loadText(h, 't_b.csv', `id,qty\n1,12\n2,${'x'.repeat(100)}\n`, mappingOf('t'));
    const b = await loadText(h, 't_c.csv', 'id,qty\n3,twelve\n', mappingOf('t'));
    const [first, value] = a.outcome.loadId! < b.outcome.loadId! ? [a.outcome.loadId!, `"${'x'.repeat(60)}…"`] : [b.outcome.loadId!, '"twelve"'];
    const says = new RegExp(`t\\.qty to ${options.types.integer}: a row of load ${first} holds ${value.replace('…', '.')},.*nothing changed`);
    await refuses(h, 't', () => promote(h, 't', 'qty', 'INTEGER'), says);
  });

  it('refuses two spellings of the field in one row, naming its load', async (h) => {
    const a = await loadText(h, 't_a.csv', 'id\n1\n', mappingOf('t'));
    await h.setExtra('t', '1', '{"venue": "a", "VENUE": "b"}');
    await refuses(h, 't', () => promote(h, 't', 'Venue'), new RegExp(`load ${a.outcome.loadId} holds the field twice in _extra \\("VENUE", "venue"\\)`));
  });

  it('refuses a field that is already a column (any case), reserved or no field at all, and a field no row has', async (h) => {
    await loadText(h, 't_a.csv', 'id,name\n1,Ann\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,note\n2,n\n', mappingOf('t'));
    await refuses(h, 't', () => promote(h, 't', 'NAME'), /already has a column "name"/);
    await refuses(h, 't', () => promote(h, 't', '_Extra'), /reserved by landfall/);
    await refuses(h, 't', () => promote(h, 't', ' '), /the name is empty/);
    await refuses(h, 't', () => promote(h, 't', 'nope'), /no row of t has "nope" in _extra.*no column added/);
    await refuses(h, 't', () => promote(h, 't', 'note', 'FLOAT'), /not a type landfall promotes to/);
  });

  it('refuses a table that does not exist or that landfall did not create', async (h) => {
    await assert.rejects(promote(h, 'missing', 'x'), /there is no table missing/);
    await h.plainTable('plain');
    await refuses(h, 'plain', () => promote(h, 'plain', 'x'), /table plain exists but has no _extra or _load_id column/);
  });

  it('a file loaded after the promotion fills the column, and its _extra has no such key', async (h) => {
    await loadText(h, 't_a.csv', 'id\n1\n', mappingOf('t'));
    await loadText(h, 't_b.csv', 'id,venue\n2,XETR\n', mappingOf('t'));
    await promote(h, 't', 'venue');
    const later = await loadText(h, 't_c.csv', 'id,VENUE,desk\n3,XPAR,d3\n4,XLON,d4\n', mappingOf('t'));
    assert.equal(later.outcome.status, 'loaded');
    const rows = await h.rows('t');
    assert.deepEqual([byId(rows, '3')?.venue, extraOf(byId(rows, '3'))], ['XPAR', { desk: 'd3' }]);
    assert.deepEqual([byId(rows, '4')?.venue, extraOf(byId(rows, '4'))], ['XLON', { desk: 'd4' }]);
  });
}
