// The scale bench's files: N files over T tables, each in a folder of its own and all of one batch key, so every file
// is its own load (its own pipeline document) while the dbt trigger sees one key for the whole burst.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BATCH_KEY = '20261201';

export interface BenchFile {
  /** Name under the landing prefix: `<folder>/t07_20261201.csv`. */
  name: string;
  table: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const tableName = (t: number) => `bench_t${pad(t, 2)}`;

/** File i goes to table i mod T; `tag` keeps the burst and the warm-up apart (folder names). */
export function benchFiles(count: number, tables: number, tag: string, batchKey = BATCH_KEY): BenchFile[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${tag}${pad(i, 5)}/t${pad(i % tables, 2)}_${batchKey}.csv`, table: tableName(i % tables) }));
}

/** Writes the table mappings (`t07_*.csv: bench_t07` …) into `dir` and answers the table names. */
export async function writeTableConfig(dir: string, tables: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = Array.from({ length: tables }, (_, t) => tableName(t));
  await writeFile(join(dir, 'bench.yaml'), names.map((name, t) => `t${pad(t, 2)}_*.csv: ${name}\n`).join(''));
  return names;
}

/** ~100-byte rows of 10 columns, like a trade file (the same shape as bench/pipeline.ts's). */
export function body(rows: number): Buffer {
  const lines = ['trade_id,trade_date,isin,side,quantity,price,currency,counterparty,book,note'];
  for (let i = 0; i < rows; i++) {
    lines.push(`T${i},2024-01-15,DE${pad(i, 10)},${i % 2 ? 'BUY' : 'SELL'},${i % 9973},${(i % 100000) / 100},EUR,CPTY${i % 97},BOOK${i % 7},note ${i}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}
