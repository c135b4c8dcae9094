// Records of the formats landfall reads for a warehouse that loads text: Parquet through DuckDB, and a bad value named.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLocalFile } from '../../../../lib/adapters/local/index.js';
import { badCastError, describeFields, fieldRecords } from '../../../../lib/load/index.js';
import type { FieldRecord, LoadJob } from '../../../../lib/load/index.js';

const dir = await mkdtemp(join(tmpdir(), 'landfall-records-'));
after(() => rm(dir, { recursive: true, force: true }));

async function jobOf(name: string, format: 'parquet' | 'avro' | 'jsonl' | 'csv'): Promise<LoadJob> {
  const source = await openLocalFile(join(dir, name));
  const { header, types } = await describeFields(source, { format, delimiter: ',', compressed: false });
  const replace = { force: false, reupload: 'replace' } as const;
  return { table: 't', loadId: 'L', source, header, ...(format === 'csv' ? {} : { format }), ...(types ? { types } : {}), delimiter: ',', compressed: false, replace, startedAt: new Date() };
}

async function all(job: LoadJob): Promise<FieldRecord[]> {
  const out: FieldRecord[] = [];
  for await (const r of fieldRecords(job)) out.push(r);
  return out;
}

test('a Parquet file’s records as text a warehouse casts, and as JSON text, in the file’s order', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const path = join(dir, 'typed.parquet');
  await connection.run(
    `COPY (SELECT * FROM (VALUES (1, 12.30::DECIMAL(10,2), TIMESTAMPTZ '2024-01-15 09:30:00.5+00', '\\xAB\\x01'::BLOB, [1, 2], {'v': 'x'}, 'a"b'), ` +
      `(2, NULL, NULL, NULL, NULL, NULL, NULL)) AS t(id, amount, ts, raw, tags, detail, name)) TO '${path}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
  const records = await all(await jobOf('typed.parquet', 'parquet'));
  assert.deepEqual(records.map((r) => r.line), [1, 2]);
  assert.deepEqual(records[0]!.texts, ['1', '12.30', '2024-01-15 09:30:00.5+00', 'qwE=', '[1,2]', '{"v":"x"}', 'a"b']);
  assert.deepEqual(records[0]!.json, ['1', '12.3', '"2024-01-15 09:30:00.5+00"', '"qwE="', '[1,2]', '{"v":"x"}', '"a\\"b"']);
  assert.deepEqual(records[1]!.texts, ['2', null, null, null, null, null, null]);
  assert.deepEqual(records[1]!.json, ['2', 'null', 'null', 'null', 'null', 'null', 'null'], 'a null is JSON null: the key is kept');
});

test('a bad value is named by the first record holding it, with its column and the field it came from', async () => {
  await writeFile(join(dir, 'b.jsonl'), '{"Qty": 1}\n{"Qty": 2}\n{"Qty": "x"}\n{"Qty": "x"}\n');
  const job = await jobOf('b.jsonl', 'jsonl');
  const error = await badCastError(job, [{ column: 'qty', type: 'INT64', position: 1, values: new Set(['x']) }]);
  assert.equal(error?.message, 'b.jsonl line 3: the value "x" cannot be cast to INT64 for column qty of table t');
  assert.equal(error?.context.line, 3);
  assert.equal(await badCastError(job, []), undefined);
  const long = 'y'.repeat(80);
  await writeFile(join(dir, 'c.csv'), `qty\n${long}\n`);
  const csv = await badCastError(await jobOf('c.csv', 'csv'), [{ column: 'Amount', type: 'INTEGER', position: 1, values: new Set([long]) }]);
  assert.equal(csv?.message, `c.csv line 2: the value "${'y'.repeat(57)}…" cannot be cast to INTEGER for column Amount (field "qty") of table t`);
});
