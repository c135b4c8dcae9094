// The "loaded before?" lookup bills the same at any history size: load_metadata is clustered on what it filters, and
// the gate bills a clustered read by the blocks it can prune (emulators/quota-gate/pruning.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMULATOR_CSV, openBigQueryWarehouse } from '../../../lib/adapters/bigquery/index.js';
import { selectPriorLoads } from '../../../lib/adapters/bigquery/metadata.js';
import { METADATA_FIELDS } from '../../../lib/adapters/bigquery/metadata-schema.js';
import { MIN_BILLED_BYTES } from '../../../emulators/quota-gate/index.js';
import type { QuotaGate } from '../../../emulators/quota-gate/index.js';
import { PROJECT, client, newDataset, openGate, useEmulators } from './gate-harness.js';
import type { Bench } from './gate-harness.js';

const bench = useEmulators();
/** The gate's block size, scaled down (BigQuery's is adaptive, 64 MB and up) so a test-sized history spans many blocks. */
const BLOCK_BYTES = 64 * 1024;
/** Files of history: at 10 × N an unpruned lookup reads past the 10 MB minimum (its columns: about 150 bytes a row). */
const N = 8_000;
/** The file looked up: file 4,007 of the history, in table raw_table_7. */
const FILE = 4_007;
const TABLE = 'raw_table_7';

const pathOf = (n: string) => `CONCAT('region=emea/desk=rates/', CAST(DIV(${n}, 500) AS STRING), '/trades_', LPAD(CAST(${n} AS STRING), 8, '0'), '.csv')`;
const PATH = `region=emea/desk=rates/${Math.floor(FILE / 500)}/trades_${String(FILE).padStart(8, '0')}.csv`;
const LOAD_ID = `${String(FILE).padStart(8, '0')}-0000-4000-8000-${String(FILE).padStart(12, '0')}`;

/** Files `from`…`to` of the history as landfall records them (one loaded row each, 20 tables, paths in folders). */
function historySql(from: number, to: number): string {
  const values: Record<string, string> = {
    load_id: `CONCAT(LPAD(CAST(n AS STRING), 8, '0'), '-0000-4000-8000-', LPAD(CAST(n AS STRING), 12, '0'))`,
    filename: `CONCAT('trades_', LPAD(CAST(n AS STRING), 8, '0'), '.csv')`,
    table_name: `CONCAT('raw_table_', CAST(MOD(n, 20) AS STRING))`,
    row_count: '1000',
    started_at: 'TIMESTAMP_MICROS(1767225600000000 + n * 1000000)',
    completed_at: 'TIMESTAMP_MICROS(1767225600500000 + n * 1000000)',
    source_uri: `CONCAT('gs://landfall-landing/incoming/', ${pathOf('n')})`,
    source_generation: 'CAST(1767225600000000 + n AS STRING)',
    expected_rows: 'CAST(NULL AS INT64)',
    bytes: '123456',
    status: "'loaded'",
    error: 'CAST(NULL AS STRING)',
    path: pathOf('n'),
  };
  return `SELECT ${COLUMNS.map((c) => `${values[c]} AS ${c}`).join(', ')} FROM UNNEST(GENERATE_ARRAY(${from}, ${to})) AS n`;
}

const COLUMNS = METADATA_FIELDS.map((f) => f.name);
let history: Promise<string> | undefined;

/** Generated once for the file (the emulator is slow at it): files 1…N in `first`, N + 1…10 × N in `rest`. */
function historyDataset(b: Bench): Promise<string> {
  history ??= (async () => {
    const dataset = await newDataset(b);
    await b.direct.query(`CREATE TABLE \`${PROJECT}.${dataset}.first\` AS ${historySql(1, N)}`);
    await b.direct.query(`CREATE TABLE \`${PROJECT}.${dataset}.rest\` AS ${historySql(N + 1, 10 * N)}`);
    return dataset;
  })();
  return history;
}

async function addHistory(b: Bench, dataset: string, part: 'first' | 'rest'): Promise<void> {
  const from = `\`${PROJECT}.${await historyDataset(b)}.${part}\``;
  await b.direct.query(`INSERT INTO \`${PROJECT}.${dataset}.load_metadata\` (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM ${from}`);
}

interface Charge {
  processed: number;
  billed: number;
}

/** Runs `lookup` alone through the gate and returns its one query's charge. */
async function charge(gate: QuotaGate, lookup: () => Promise<unknown>): Promise<Charge> {
  gate.reset();
  await lookup();
  const queries = gate.bill().queries;
  assert.equal(queries.length, 1, 'the lookup is one query job');
  return { processed: queries[0]!.bytesProcessed, billed: queries[0]!.bytesBilled };
}

/** The lookup's charge at N and at 10 × N files of history, on the dataset's load_metadata. */
async function atBothSizes(b: Bench, gate: QuotaGate, dataset: string, lookup: () => Promise<unknown>): Promise<[Charge, Charge]> {
  await addHistory(b, dataset, 'first');
  const small = await charge(gate, lookup);
  await addHistory(b, dataset, 'rest');
  return [small, await charge(gate, lookup)];
}

test('the lookup on the load_metadata landfall creates bills the same at N and 10 × N files of history, reading about one block', async () => {
  const b = bench();
  const gate = await openGate(b, { clusterBlockBytes: BLOCK_BYTES });
  try {
    const dataset = await newDataset(b);
    const warehouse = await openBigQueryWarehouse({ bq: client(gate.url), storage: b.storage, project: PROJECT, dataset, reader: EMULATOR_CSV });
    const found: string[][] = [];
    const lookup = async () => found.push((await warehouse.priorLoads(TABLE, PATH)).map((p) => p.loadId));
    const [small, large] = await atBothSizes(b, gate, dataset, lookup);
    console.log(`lookup at ${N} files: ${JSON.stringify(small)}; at ${10 * N}: ${JSON.stringify(large)}`);
    assert.deepEqual(found, [[LOAD_ID], [LOAD_ID]], 'the lookup finds the one earlier load of the path at both sizes');
    assert.equal(large.billed, small.billed);
    assert.equal(large.billed, MIN_BILLED_BYTES);
    // Flat, not merely under the minimum: at most the two blocks a path's rows can straddle, at either size.
    for (const c of [small, large]) assert.ok(c.processed > 0 && c.processed <= 2 * BLOCK_BYTES, JSON.stringify(c));
  } finally {
    await gate.stop();
  }
});

test('control: the same lookup on the table as landfall made it before (no clustering) reads the whole history, 10 × the bytes at 10 × N', async () => {
  const b = bench();
  const gate = await openGate(b, { clusterBlockBytes: BLOCK_BYTES });
  try {
    const dataset = await newDataset(b);
    await b.direct.dataset(dataset).table('load_metadata').create({ schema: { fields: METADATA_FIELDS.map((f) => ({ ...f })) } });
    const bq = client(gate.url);
    const [small, large] = await atBothSizes(b, gate, dataset, () => selectPriorLoads(bq, { project: PROJECT, dataset }, TABLE, PATH));
    console.log(`unclustered: lookup at ${N} files: ${JSON.stringify(small)}; at ${10 * N}: ${JSON.stringify(large)}`);
    assert.ok(large.processed > 9.9 * small.processed, JSON.stringify([small, large]));
    assert.ok(large.billed > MIN_BILLED_BYTES && large.billed > small.billed, 'past the 10 MB minimum, the bill grows with history');
  } finally {
    await gate.stop();
  }
});

test("control: clustered as terraform had it (table_name, filename), the lookup prunes to its table's share of history only", async () => {
  const b = bench();
  const gate = await openGate(b, { clusterBlockBytes: BLOCK_BYTES });
  try {
    const dataset = await newDataset(b);
    const fields = METADATA_FIELDS.map((f) => ({ ...f }));
    await b.direct.dataset(dataset).table('load_metadata').create({ schema: { fields }, clustering: { fields: ['table_name', 'filename'] } });
    const bq = client(gate.url);
    const [small, large] = await atBothSizes(b, gate, dataset, () => selectPriorLoads(bq, { project: PROJECT, dataset }, TABLE, PATH));
    console.log(`clustered (table_name, filename): lookup at ${N} files: ${JSON.stringify(small)}; at ${10 * N}: ${JSON.stringify(large)}`);
    // path is not a clustering column: every block of raw_table_7 (a twentieth of the history) is read, at any size.
    assert.ok(large.processed > 5 * small.processed, JSON.stringify([small, large]));
  } finally {
    await gate.stop();
  }
});

test('an existing load_metadata (clustered as terraform had it, paths unset) is migrated once at open, and its lookup then prunes', async () => {
  const b = bench();
  const gate = await openGate(b, { clusterBlockBytes: BLOCK_BYTES });
  try {
    const dataset = await newDataset(b);
    const table = b.direct.dataset(dataset).table('load_metadata');
    // The emulator cannot add a column to a table that holds rows (gaps doc): the old table has `path`, left NULL, as
    // rows written before the column was added have it.
    await table.create({ schema: { fields: METADATA_FIELDS.map((f) => ({ ...f })) }, clustering: { fields: ['table_name', 'filename'] } });
    const old = COLUMNS.filter((c) => c !== 'path').join(', ');
    await b.direct.query(`INSERT INTO \`${PROJECT}.${dataset}.load_metadata\` (${old}) SELECT ${old} FROM \`${PROJECT}.${await historyDataset(b)}.first\``);
    const open = async () => {
      gate.reset();
      const warehouse = await openBigQueryWarehouse({ bq: client(gate.url), storage: b.storage, project: PROJECT, dataset, reader: EMULATOR_CSV });
      return { warehouse, updates: gate.bill().dml[`${PROJECT}:${dataset}.load_metadata`]?.byKind.update ?? 0 };
    };
    const first = await open();
    assert.equal(first.updates, 1, 'one UPDATE rewrites the older rows');
    const [resource] = await table.getMetadata();
    assert.deepEqual(resource.clustering, { fields: ['table_name', 'path'] });
    assert.equal(resource.labels?.landfall_metadata_layout, 'path-clustered');
    // Rows from before paths were identities take their file name as path, as a file directly under the prefix has.
    const [unfilled] = await b.direct.query(`SELECT COUNTIF(path IS NULL OR path != filename) AS n FROM \`${PROJECT}.${dataset}.load_metadata\``);
    assert.equal(Number(unfilled[0].n), 0);
    const lookup = await charge(gate, () => first.warehouse.priorLoads(TABLE, `trades_${String(FILE).padStart(8, '0')}.csv`));
    assert.ok(lookup.processed > 0 && lookup.processed <= 2 * BLOCK_BYTES, JSON.stringify(lookup));
    assert.equal((await open()).updates, 0, 'a migrated table is current: no rewrite at the next start');

    // A migration cut short after its tables.patch (no label yet) is taken up again at the next start.
    await table.setMetadata({ labels: { landfall_metadata_layout: null as unknown as string } });
    assert.equal((await open()).updates, 1);
    assert.equal((await table.getMetadata())[0].labels?.landfall_metadata_layout, 'path-clustered');
  } finally {
    await gate.stop();
  }
});
