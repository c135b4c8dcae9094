// Benchmark: one large file through the BigQuery path on the emulators — bytes of the object the function reads, and wall time.
// npm run bench:bigquery -- [--rows 1000000] [--count go|trailer]
// (writes bench/out/bigquery-load.json, or bigquery-load-trailer.json for the trailer mapping)
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EMULATOR_CSV, bigqueryClient, openBigQueryWarehouse, storageClient } from '../lib/adapters/bigquery/index.js';
import { openObjectSource } from '../lib/adapters/gcs/index.js';
import type { TableMapping } from '../lib/config/index.js';
import { goFileText, loadFile } from '../lib/load/index.js';
import type { FileSource } from '../lib/load/index.js';
import { PROJECT, startBigQueryStack } from '../test/integration/bigquery/stack.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/out');

function row(i: number): string {
  const text = i % 10 === 0 ? `"note ${i}, with comma"` : `note ${i}`;
  return `T${i},2024-01-15,2024-01-17,DE${String(i).padStart(10, '0')},${i % 2 ? 'BUY' : 'SELL'},${i % 9973},${(i % 100000) / 100},EUR,CPTY${i % 97},${text}\n`;
}

const COUNTS = ['go', 'trailer'] as const;
type Count = (typeof COUNTS)[number];

/** A trailer of the header's ten fields: BigQuery stages it with the rows and the commit leaves it out. */
const trailerLine = (rows: number) => `TRAILER,${rows},,,,,,,,\n`;

async function generate(path: string, rows: number, count: Count): Promise<void> {
  if (existsSync(path)) return;
  const out = createWriteStream(path);
  out.write('trade_id,trade_date,settlement_date,isin,side,quantity,price,currency,counterparty,note\n');
  for (let done = 0; done < rows; ) {
    let chunk = '';
    for (let i = 0; i < 10000 && done < rows; i++) chunk += row(done++);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  if (count === 'trailer') out.write(trailerLine(rows));
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** Counts every byte of the object handed to the engine: ranged reads, and a whole download if anything asks for one. */
function counting(source: FileSource): { source: FileSource; read: () => { bytes: number; downloads: number } } {
  let bytes = 0;
  let downloads = 0;
  const counted: FileSource = {
    ...source,
    readHead: async (length) => {
      const b = await source.readHead(length);
      bytes += b.length;
      return b;
    },
    readTail: async (length) => {
      const b = await source.readTail(length);
      bytes += b.length;
      return b;
    },
    localPath: async () => {
      downloads++;
      bytes += source.bytes;
      return source.localPath();
    },
  };
  return { source: counted, read: () => ({ bytes, downloads }) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, count: { type: 'string', default: 'go' } } });
  const rows = Number(values.rows);
  const count = values.count as Count;
  if (!COUNTS.includes(count)) throw new Error(`--count must be one of ${COUNTS.join(', ')}`);
  process.env.METADATA_SERVER_DETECTION = 'none';
  await mkdir(OUT, { recursive: true });
  const csv = join(OUT, count === 'go' ? `bigquery-${rows}.csv` : `bigquery-${rows}-trailer.csv`);
  await generate(csv, rows, count);
  const fileBytes = (await stat(csv)).size;
  const stack = await startBigQueryStack();
  try {
    const options = { projectId: PROJECT, bigqueryEndpoint: stack.bigqueryEndpoint, storageEndpoint: stack.storageEndpoint };
    const bq = bigqueryClient(options);
    const storage = storageClient(options);
    await bq.createDataset('bench');
    await storage.createBucket('landing');
    const name = 'trades_20240115.csv';
    const file = storage.bucket('landing').file(`incoming/${name}`);
    await pipeline(createReadStream(csv), file.createWriteStream({ resumable: false }));
    const [meta] = await file.getMetadata();
    const object = openObjectSource(file, Number(meta.size), { name, path: name, uri: `gs://landing/incoming/${name}`, generation: String(meta.generation) });
    const { source, read } = counting(object);
    const mapping: TableMapping = {
      pattern: 'trades_*.csv',
      table: 'raw_trades',
      ...(count === 'go'
        ? { goFile: { pattern: 'trades_*.go', format: 'properties' as const, rowCountKey: 'record_count' } }
        : { trailer: { rowCountColumn: 2 } }),
      delimiter: ',',
      reupload: 'replace',
      source: { file: 'bench', line: 1 },
    };
    const warehouse = await openBigQueryWarehouse({ bq, storage, project: PROJECT, dataset: 'bench', reader: EMULATOR_CSV });
    const started = performance.now();
    const goFile = count === 'go' ? { goFile: goFileText('trades_20240115.go', `record_count=${rows}\n`) } : {};
    const report = await loadFile(warehouse, { source, mapping, compressed: false, loadId: randomUUID(), ...goFile });
    const wallMs = Math.round(performance.now() - started);
    const [[inTable]] = await bq.query('SELECT COUNT(*) AS n FROM `bench`.`raw_trades`');
    const result = { rows, count, fileBytes, status: report.outcome.status, error: report.outcome.error, rowsInTable: Number(inTable.n), objectBytesRead: read().bytes, downloads: read().downloads, wallMs, at: new Date().toISOString() };
    await writeFile(join(OUT, count === 'go' ? 'bigquery-load.json' : 'bigquery-load-trailer.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    await object.dispose();
  } finally {
    await stack.stop();
  }
}

await main();
