// The quota gate's block-pruning model, pure parts: which equalities a query's WHERE holds, and which rows' blocks it reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priorLoadsSql } from '../../../../lib/adapters/bigquery/metadata.js';
import { METADATA_CLUSTERING } from '../../../../lib/adapters/bigquery/metadata-schema.js';
import { parseGateOptions } from '../../../../emulators/quota-gate/options.js';
import { planQuery } from '../../../../emulators/quota-gate/plan.js';
import { touchedRows } from '../../../../emulators/quota-gate/pruning.js';

const equalities = (sql: string) => planQuery('p', { query: sql }).statements[0]!.statement.equalities.map((e) => [e.column, e.value.text]);

describe('equalities of the top-level WHERE', () => {
  it("finds landfall's lookup holding both clustering columns equal to its parameters, in clustering order", () => {
    const plan = planQuery('p', {
      query: priorLoadsSql({ project: 'p', dataset: 'd' }),
      queryParameters: [
        { name: 'table', parameterType: { type: 'STRING' }, parameterValue: { value: 'raw_trades' } },
        { name: 'PATH', parameterType: { type: 'STRING' }, parameterValue: { value: 'day1/t.csv' } },
      ],
    });
    const found = plan.statements[0]!.statement.equalities.map((e) => e.column);
    assert.deepEqual(found, [...METADATA_CLUSTERING]);
    assert.deepEqual([...plan.parameters], [
      ['table', { type: 'STRING', value: 'raw_trades' }],
      ['path', { type: 'STRING', value: 'day1/t.csv' }],
    ]);
  });

  it('takes qualified and quoted columns, either side of =, literals and numbers, and stops at ORDER BY', () => {
    assert.deepEqual(equalities("SELECT * FROM d.t AS x WHERE x.a = 'v' AND 3 = `b` AND (c = @c) ORDER BY d = 1"), [
      ['a', "'v'"],
      ['b', '3'],
      ['c', '@c'],
    ]);
  });

  it('leaves out what does not hold one value in every row: OR at the top, <=, !=, NOT, IN, BETWEEN, column = column', () => {
    assert.deepEqual(equalities('SELECT a FROM d.t WHERE a = 1 OR b = 2'), []);
    assert.deepEqual(equalities('SELECT a FROM d.t WHERE (a = 1 OR b = 2) AND c = 3'), [['c', '3']]);
    assert.deepEqual(equalities("SELECT a FROM d.t WHERE a <= 1 AND b != 'x' AND NOT c = 2 AND e IN (1) AND f = g AND h = 4"), [['h', '4']]);
    assert.deepEqual(equalities('SELECT a FROM d.t WHERE n BETWEEN 1 AND 5 AND a = @a'), [['a', '@a']]);
  });

  it("reads no equality from a subquery's WHERE, from DML, or from a statement without WHERE", () => {
    assert.deepEqual(equalities('SELECT * FROM (SELECT * FROM d.t WHERE a = 1)'), []);
    assert.deepEqual(equalities("UPDATE d.t SET s = 'x' WHERE a = 1"), []);
    assert.deepEqual(equalities('SELECT a FROM d.t'), []);
  });
});

describe('touchedRows: the rows of the blocks a pruned read touches', () => {
  // 1,000 rows of 100 bytes in 10,000-byte blocks: 100 rows a block.
  const table = { rows: 1000, bytes: 100_000 };

  it("reads the one block that holds the key's rows, or each block they span", () => {
    assert.deepEqual(touchedRows({ ...table, before: 250, matching: 1 }, 10_000), { offset: 200, limit: 100 });
    assert.deepEqual(touchedRows({ ...table, before: 250, matching: 60 }, 10_000), { offset: 200, limit: 200 });
    assert.deepEqual(touchedRows({ ...table, before: 950, matching: 10 }, 10_000), { offset: 900, limit: 100 });
  });

  it('reads a block whose range holds a missing key, and none when the key falls between blocks or outside the table', () => {
    assert.deepEqual(touchedRows({ ...table, before: 250, matching: 0 }, 10_000), { offset: 200, limit: 100 });
    assert.deepEqual(touchedRows({ ...table, before: 300, matching: 0 }, 10_000), { offset: 0, limit: 0 });
    assert.deepEqual(touchedRows({ ...table, before: 0, matching: 0 }, 10_000), { offset: 0, limit: 0 });
    assert.deepEqual(touchedRows({ ...table, before: 1000, matching: 0 }, 10_000), { offset: 0, limit: 0 });
  });

  it('reads the same number of rows at ten times the rows (block size fixed), and the whole of a table smaller than a block', () => {
    const small = touchedRows({ ...table, before: 500, matching: 1 }, 10_000);
    const large = touchedRows({ rows: 10_000, bytes: 1_000_000, before: 5000, matching: 1 }, 10_000);
    assert.equal(small.limit, large.limit);
    assert.deepEqual(touchedRows({ ...table, before: 500, matching: 1 }, 64 * 1024 * 1024), { offset: 0, limit: 1000 });
  });

  it('the last block holds what is left', () => {
    assert.deepEqual(touchedRows({ rows: 1050, bytes: 105_000, before: 1049, matching: 1 }, 10_000), { offset: 1000, limit: 50 });
  });
});

describe('parseGateOptions: clusterBlockBytes', () => {
  it('takes a whole number of bytes and refuses anything else', () => {
    const upstream = 'http://127.0.0.1:9050';
    assert.equal(parseGateOptions({ LANDFALL_QUOTA_GATE: JSON.stringify({ upstream, clusterBlockBytes: 1048576 }) }).clusterBlockBytes, 1048576);
    assert.throws(() => parseGateOptions({ LANDFALL_QUOTA_GATE: JSON.stringify({ upstream, clusterBlockBytes: 0 }) }), /clusterBlockBytes must be/);
  });
});
