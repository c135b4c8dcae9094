// The CSV differential fuzz, run long: `npm run bench:fuzz -- --files 100000 --seed 7`. Prints a table and writes bench/out/fuzz-csv.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { csvCase } from '../test/fuzz/csv-cases.js';
import { differences, type Mismatch } from '../test/fuzz/landfall-batch.js';
import { expectedOutcome } from '../test/fuzz/reference.js';
import { SuspectBytes } from '../lib/load/index.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    batch: { type: 'string', default: '250' },
  },
});
const files = Number(values.files);
const seed = Number(values.seed);
const batch = Number(values.batch);

const started = performance.now();
const cases = fc.sample(csvCase, { seed, numRuns: files });
const found: (Mismatch & { content: string; delimiter: string })[] = [];
let loaded = 0;
/** Files DuckDB's own reader reads (nothing suspect in them), as against landfall's reader and a canonical copy. */
let direct = 0;
for (let i = 0; i < cases.length; i += batch) {
  const part = cases.slice(i, i + batch);
  const loads = part.filter((c, j) => expectedOutcome(c, { data: `fz${j}_k.csv${c.gzip ? '.gz' : ''}`, go: 'go' }).status === 'loaded');
  loaded += loads.length;
  direct += loads.filter((c) => Buffer.byteLength(c.delimiter) === 1 && !new SuspectBytes().visit(c.content)).length;
  for (const m of await differences(part)) found.push({ ...m, index: i + m.index, content: part[m.index]!.content.toString('latin1'), delimiter: part[m.index]!.delimiter });
  process.stderr.write(`\r${Math.min(i + batch, files)} of ${files} files, ${found.length} disagreement(s)`);
}
process.stderr.write('\n');
const seconds = (performance.now() - started) / 1000;
const result = { seed, files, batch, loadsExpected: loaded, loadsReadByDuckDb: direct, failuresExpected: files - loaded, disagreements: found.length, seconds: Math.round(seconds), at: new Date().toISOString(), found: found.slice(0, 50) };
console.log('| seed | files | expected to load | of them read by DuckDB | expected to fail | disagreements | seconds |');
console.log('|---|---|---|---|---|---|---|');
console.log(`| ${seed} | ${files} | ${loaded} | ${direct} | ${files - loaded} | ${found.length} | ${result.seconds} |`);
for (const m of found.slice(0, 10)) console.log(`\n${JSON.stringify(m.content)} delimiter ${JSON.stringify(m.delimiter)}\n  expected ${JSON.stringify(m.expected)}\n  landfall ${JSON.stringify(m.actual)}`);
await mkdir('bench/out', { recursive: true });
await writeFile('bench/out/fuzz-csv.json', `${JSON.stringify(result, null, 2)}\n`);
process.exitCode = found.length === 0 ? 0 : 1;
