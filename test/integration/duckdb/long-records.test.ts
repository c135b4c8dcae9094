// Records near the 16 MiB line limit, through `landfall load` on DuckDB. landfall's canonical copy quotes every value
// (a nested JSON or Avro value as its JSON text), so a row of the copy can pass the limit that the source's line kept:
// DuckDB's reader is given that row's length. An Avro record has the JSON line's limit.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_LINE_BYTES } from '../../../lib/load/index.js';
import { runCli, runDuckDb } from '../../e2e/harness.js';
import { avscBytes } from '../../fixtures/formats/avsc-bytes.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landfall-long-'));
  await mkdir(join(dir, 'tables'));
  await writeFile(join(dir, 'tables/long.yaml'), 'long_*.jsonl: long_json\nlong_*.avro: long_avro\npara_*.csv:\n  table: long_para\n  delimiter: "¶"\n');
});
after(() => rm(dir, { recursive: true, force: true }));

async function load(name: string, content: Buffer, db: string) {
  await writeFile(join(dir, name), content);
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DUCKDB_PATH: db, TABLE_CONFIG_PATH: join(dir, 'tables') };
  const run = await runCli(['load', '--json', join(dir, name)], env, 180_000);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { status: string; rows: number; error: string | null };
}

test('a JSON line of 14 MiB, an object of quotes, loads whole, though its canonical row takes about 21 MiB', async () => {
  // The object's text is its JSON text, in which each quote is `\"`, and the copy quotes it again: `\""`.
  const quotes = '"'.repeat(7 * 1024 ** 2);
  const db = join(dir, 'json.duckdb');
  const outcome = await load('long_1.jsonl', Buffer.from(`${JSON.stringify({ id: 1, s: { q: quotes } })}\n{"id":2,"s":"b"}\n`), db);
  assert.equal(outcome.status, 'loaded', outcome.error ?? '');
  const rows = await runDuckDb(db, `SELECT id, length(s) AS n, CASE WHEN id = '1' THEN s->>'$.q' = repeat('"', ${quotes.length}) END AS whole FROM long_json ORDER BY id`);
  assert.deepEqual(rows, [{ id: '1', n: BigInt(JSON.stringify({ q: quotes }).length), whole: true }, { id: '2', n: 1n, whole: null }]);
});

test('a ¶-delimited CSV line at the limit loads from its canonical copy, a few bytes longer', async () => {
  const head = 'id¶text\n1¶';
  const text = 'x'.repeat(MAX_LINE_BYTES - Buffer.byteLength('1¶') - 1);
  const db = join(dir, 'para.duckdb');
  const outcome = await load('para_1.csv', Buffer.from(`${head}${text}\n2¶y\n`), db);
  assert.equal(outcome.status, 'loaded', outcome.error ?? '');
  const rows = await runDuckDb(db, 'SELECT id, length(text) AS n FROM long_para ORDER BY id');
  assert.deepEqual(rows, [{ id: '1', n: BigInt(text.length) }, { id: '2', n: 1n }]);
});

/** One Avro string record of `size` quotes, then a short one (avsc's writer, deflate). */
const avroFile = (size: number) =>
  avscBytes({ type: 'record', name: 'R', fields: [{ name: 's', type: 'string' }] }, [{ s: '"'.repeat(size) }, { s: 'b' }], { codec: 'deflate' });

test('an Avro record longer than a JSON line may be fails naming the record; one a little shorter loads', async () => {
  const db = join(dir, 'avro.duckdb');
  // As JSON each quote takes two characters (\"): 8 MiB of them are 16 MiB and a few bytes.
  const over = await load('long_1.avro', await avroFile(MAX_LINE_BYTES / 2), db);
  assert.equal(over.status, 'failed');
  assert.equal(over.error, `long_1.avro record 1: the record is longer than ${MAX_LINE_BYTES} bytes as JSON, the limit of a JSON line`);
  const under = await load('long_2.avro', await avroFile(MAX_LINE_BYTES / 2 - 8), db);
  assert.equal(under.status, 'loaded', under.error ?? '');
  const rows = await runDuckDb(db, 'SELECT length(s) AS n FROM long_avro ORDER BY n DESC');
  assert.deepEqual(rows, [{ n: BigInt(MAX_LINE_BYTES / 2 - 8) }, { n: 1n }]);
});
