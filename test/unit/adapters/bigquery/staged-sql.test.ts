// Staged STRING fields into a table's values: casts checked before the commit, `_extra` keeping a copy's JSON types, types mapped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bigQueryType, columnOf } from '../../../../lib/adapters/bigquery/column-types.js';
import { commitScript } from '../../../../lib/adapters/bigquery/commit-sql.js';
import { badValuesOf, batchCountSql, countSql } from '../../../../lib/adapters/bigquery/count-sql.js';
import { badValue, cast, extraExpression, stagingWidth } from '../../../../lib/adapters/bigquery/staged-sql.js';

const csv = { format: 'csv', width: 3 } as const;
const jsonl = { format: 'jsonl', width: 3 } as const;
const where = { project: 'p', dataset: 'd' };

describe('staged fields', () => {
  it('a copy stages each field twice, its text then its JSON text; CSV once', () => {
    assert.equal(stagingWidth(csv), 3);
    assert.equal(stagingWidth(jsonl), 6);
  });

  it('casts with SAFE_ functions: a CSV field empty rather than NULL, a copy’s JSON column from its JSON text, BYTES from base64', () => {
    assert.equal(cast(csv, 2, 'INT64'), "SAFE_CAST(COALESCE(`_landfall_c2`, '') AS INT64)");
    assert.equal(cast(jsonl, 2, 'INT64'), 'SAFE_CAST(`_landfall_c2` AS INT64)');
    assert.equal(cast(jsonl, 2, 'STRING'), '`_landfall_c2`');
    assert.equal(cast(jsonl, 2, 'JSON'), "SAFE.PARSE_JSON(IF(`_landfall_c2` IS NULL, NULL, `_landfall_c5`), wide_number_mode => 'round')");
    assert.equal(cast(csv, 1, 'BYTES'), "SAFE.FROM_BASE64(COALESCE(`_landfall_c1`, ''))");
  });

  it('checks every typed column but a string, and a copy’s JSON (which landfall wrote as JSON)', () => {
    assert.equal(badValue(csv, 1, 'STRING'), undefined);
    assert.equal(badValue(jsonl, 1, 'JSON'), undefined);
    assert.match(badValue(csv, 1, 'JSON')!, /SAFE\.PARSE_JSON/);
    assert.equal(badValue(jsonl, 3, 'DATE'), 'IF(`_landfall_c3` IS NOT NULL AND SAFE_CAST(`_landfall_c3` AS DATE) IS NULL, `_landfall_c3`, NULL)');
  });

  it('a copy’s _extra is made of its JSON texts, a missing key left out; a CSV file’s of strings', () => {
    const plan = { known: [{ position: 1, column: 'id' }], extra: [{ position: 2, key: 'n' }, { position: 3, key: "o'k" }] };
    const extra = extraExpression(jsonl, plan);
    assert.match(extra, /IF\(`_landfall_c5` IS NULL, NULL, CONCAT\('"n":', `_landfall_c5`\)\)/);
    assert.match(extra, /CONCAT\('"o\\'k":', `_landfall_c6`\)/);
    assert.match(extra, /^PARSE_JSON\(CONCAT\('\{', NULLIF\(ARRAY_TO_STRING\(\[.*\], ','\), ''\), '\}'\), wide_number_mode => 'round'\)$/);
    assert.match(extraExpression(csv, plan), /TO_JSON_STRING\(COALESCE\(`_landfall_c2`, ''\)\)/);
    assert.equal(extraExpression(jsonl, { known: plan.known, extra: [] }), 'CAST(NULL AS JSON)');
  });

  it('a wide copy’s _extra joins its members in nested groups of at most 100', () => {
    const wide = { format: 'jsonl', width: 250 } as const;
    const extra = extraExpression(wide, { known: [], extra: Array.from({ length: 250 }, (_, i) => ({ position: i + 1, key: `k${i}` })) });
    assert.equal([...extra.matchAll(/ARRAY_TO_STRING/g)].length, 4, 'three groups and the one that joins them');
  });
});

describe('the count query checks casts', () => {
  it('names one bad value per check, leaving the staged trailer out', () => {
    const sql = countSql(where, 's', csv, { trailer: ['T', '1', 'x'], checks: [{ position: 2, type: 'INT64' }] });
    assert.match(sql, /MIN\(IF\(\(COALESCE\(`_landfall_c1`, ''\) = 'T' AND .*\), NULL, IF\(.*SAFE_CAST\(COALESCE\(`_landfall_c2`, ''\) AS INT64\) IS NULL.*\)\)\) AS bad_0/);
    assert.deepEqual(badValuesOf({ bad_0: 'abc', bad_1: null }, [{ position: 2, type: 'INT64' }, { position: 3, type: 'DATE' }]), ['abc', null]);
  });

  it('a batch’s staging tables line up: fewer checks are padded with NULLs, a copy counts no NULs', () => {
    const sql = batchCountSql(where, [
      { staging: 'a', fields: csv, checks: [{ position: 1, type: 'INT64' }, { position: 2, type: 'DATE' }] },
      { staging: 'b', fields: jsonl, checks: [] },
    ], true);
    const [first, second] = sql.split('\nUNION ALL\n');
    assert.match(first!, /COUNTIF\(.*TO_CODE_POINTS.*\) AS nuls, MIN\(.*\) AS bad_0, MIN\(.*\) AS bad_1 FROM/);
    assert.match(second!, /0 AS nuls, CAST\(NULL AS STRING\) AS bad_0, CAST\(NULL AS STRING\) AS bad_1 FROM/);
  });

  it('the commit inserts each known field cast to its column’s type', () => {
    const script = commitScript({
      where,
      table: 't',
      staging: 's',
      fields: jsonl,
      plan: { known: [{ position: 1, column: 'id' }, { position: 2, column: 'tags' }], extra: [] },
      columns: [{ name: 'id', type: 'INT64' }, { name: 'tags', type: 'JSON' }, { name: '_extra', type: 'JSON' }, { name: '_load_id', type: 'STRING' }],
      loadId: 'L',
      replaceLoadIds: [],
      metadata: { filename: 'f', path: 'f', rowCount: 1, startedAt: new Date(0), sourceUri: 'gs://b/f', sourceGeneration: '1', expectedRows: null, bytes: 1 },
    });
    assert.match(script, /SELECT SAFE_CAST\(`_landfall_c1` AS INT64\), SAFE\.PARSE_JSON\(IF\(`_landfall_c2` IS NULL, NULL, `_landfall_c5`\)/);
  });
});

describe('column types', () => {
  it('NUMERIC(p,s) is NUMERIC where 38 digits with 9 after the point hold it, else BIGNUMERIC', () => {
    assert.deepEqual(['NUMERIC(10,2)', 'NUMERIC(38,9)', 'NUMERIC(38,0)', 'NUMERIC(20,10)', 'INT64', 'JSON'].map((t) => bigQueryType(t as never)), ['NUMERIC', 'NUMERIC', 'BIGNUMERIC', 'BIGNUMERIC', 'INT64', 'JSON']);
  });

  it('reads the tables API’s legacy type names as SQL’s, and a repeated field as an ARRAY', () => {
    assert.deepEqual(columnOf({ name: 'a', type: 'INTEGER' }), { name: 'a', type: 'INT64' });
    assert.deepEqual(columnOf({ name: 'a', type: 'BOOLEAN' }), { name: 'a', type: 'BOOL' });
    assert.deepEqual(columnOf({ name: 'a', type: 'STRING', mode: 'REPEATED' }), { name: 'a', type: 'ARRAY' });
  });
});
