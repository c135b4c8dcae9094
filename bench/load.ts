// Benchmark: `landfall load` (the compiled CLI) against DuckDB's own CTAS (all VARCHAR, landfall's DuckDB settings) and
// seed 001's way (Polars read_csv, all strings, into DuckDB through Arrow): wall time and peak RSS, alternating.
// npm run bench:load -- [--rows 5000000] [--runs 3] [--bytes 2G] [--tools landfall,duckdb,polars]   (writes bench/out/load*.json)
// --format parquet|jsonl: the same rows written by DuckDB as Parquet (typed) or JSON lines, landfall against DuckDB's
// own CTAS from read_parquet / read_json (writes bench/out/load-parquet.json, load-jsonl.json).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/out');
const POLL_MS = 20;

const TOOLS = ['landfall', 'duckdb', 'polars'] as const;
type Tool = (typeof TOOLS)[number];
const FORMATS = ['csv', 'parquet', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];
/** landfall's default DuckDB memory limit, given to the DuckDB baseline too. */
const MEMORY_LIMIT = '256MB';

interface Run {
  tool: Tool;
  wallMs: number;
  peakRssMiB: number;
  rows: number;
}

function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text.trim());
  if (!match) throw new Error(`--bytes must look like 2G, 500M or 1000000, got "${text}"`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(match[1]) * unit);
}

/** One row of 10 columns, ~100 bytes: ids, dates, decimals, codes and a quoted text with a comma every 10th row. */
function row(i: number): string {
  const text = i % 10 === 0 ? `"note ${i}, with comma"` : `note ${i}`;
  return `T${i},2024-01-15,2024-01-17,DE${String(i % 1e10).padStart(10, '0')},${i % 2 ? 'BUY' : 'SELL'},${i % 9973},${(i % 100000) / 100},EUR,CPTY${i % 97},${text}\n`;
}

/** Writes the CSV once per size and reuses it; stops at `rows` rows or `bytes` bytes, whichever is given. */
async function generate(path: string, limit: { rows?: number; bytes?: number }): Promise<number> {
  const out = createWriteStream(path);
  out.write('trade_id,trade_date,settlement_date,isin,side,quantity,price,currency,counterparty,note\n');
  let rows = 0;
  let bytes = 0;
  while ((limit.rows === undefined || rows < limit.rows) && (limit.bytes === undefined || bytes < limit.bytes)) {
    let chunk = '';
    for (let i = 0; i < 10000 && (limit.rows === undefined || rows < limit.rows); i++) chunk += row(rows++);
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise((resolve, reject) => out.end((error?: Error) => (error ? reject(error) : resolve(undefined))));
  await writeFile(`${path}.rows`, String(rows));
  return rows;
}

/** Runs a child to completion, sampling its high-water RSS (VmHWM) from /proc until it exits. */
function measure(command: string, args: string[]): Promise<{ wallMs: number; peakRssMiB: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let peakKiB = 0;
    child.stdout.on('data', (d) => (stdout += d));
    const poll = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8').then((status) => {
        peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      }, () => undefined);
    }, POLL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}`));
      else resolve({ wallMs, peakRssMiB: peakKiB / 1024, stdout });
    });
  });
}

const PYTHON = join(ROOT, '.cache/venv/bin/python');

/** The CSV's rows written once by DuckDB as Parquet (types detected from the CSV) or JSON lines, beside it. */
async function convert(csv: string, format: Exclude<Format, 'csv'>): Promise<string> {
  const path = csv.replace(/\.csv$/, `.${format}`);
  if (existsSync(path)) return path;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const quoted = (p: string) => `'${p.replaceAll("'", "''")}'`;
  await connection.run(`COPY (SELECT * FROM read_csv(${quoted(csv)})) TO ${quoted(`${path}.part`)} (FORMAT ${format === 'jsonl' ? 'json' : 'parquet'})`);
  connection.closeSync();
  instance.closeSync();
  await rename(`${path}.part`, path);
  return path;
}

function commandOf(tool: Tool, file: string, tables: string, db: string, format: Format): [string, string[]] {
  switch (tool) {
    case 'landfall':
      return [process.execPath, [join(ROOT, 'dist/lib/cli/landfall.js'), 'load', '--json', '--tables', tables, '--duckdb', db, file]];
    case 'duckdb':
      return [process.execPath, [join(ROOT, 'bench/load-ctas.mjs'), db, file, MEMORY_LIMIT, format]];
    case 'polars':
      return [PYTHON, [join(ROOT, 'bench/load-polars.py'), db, file]];
  }
}

async function runOnce(tool: Tool, csv: string, tables: string, index: number, format: Format): Promise<Run> {
  const db = join(OUT, `bench-${tool}-${index}.duckdb`);
  await rm(db, { force: true });
  await rm(`${db}.wal`, { force: true });
  const { wallMs, peakRssMiB, stdout } = await measure(...commandOf(tool, csv, tables, db, format));
  await rm(db, { force: true });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { rows?: number; status?: string; error?: string };
  if (tool === 'landfall' && result.status !== 'loaded') throw new Error(`landfall did not load: ${result.error}`);
  return { tool, wallMs, peakRssMiB, rows: Number(result.rows) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function summarise(runs: Run[], rows: number, bytes: number) {
  const of = (tool: Tool) => {
    const mine = runs.filter((r) => r.tool === tool);
    if (mine.length === 0) return undefined;
    const wallMs = median(mine.map((r) => r.wallMs));
    return { runs: mine.length, medianWallMs: Math.round(wallMs), rowsPerSecond: Math.round(rows / (wallMs / 1000)), peakRssMiB: Math.round(Math.max(...mine.map((r) => r.peakRssMiB))) };
  };
  const tools = Object.fromEntries(TOOLS.map((tool) => [tool, of(tool)])) as Record<Tool, ReturnType<typeof of>>;
  const ratio = (than: Tool) => (tools.landfall && tools[than] ? Number((tools.landfall.rowsPerSecond / tools[than]!.rowsPerSecond).toFixed(3)) : null);
  return { rows, bytes, tools, throughputVsDuckDb: ratio('duckdb'), throughputVsPolars: ratio('polars') };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      runs: { type: 'string', default: '3' },
      bytes: { type: 'string' },
      tools: { type: 'string' },
      format: { type: 'string', default: 'csv' },
    },
  });
  const format = values.format as Format;
  if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  const tools = (values.tools ?? (format === 'csv' ? TOOLS.join(',') : 'landfall,duckdb')).split(',').filter((t): t is Tool => (TOOLS as readonly string[]).includes(t));
  if (format !== 'csv' && tools.includes('polars')) throw new Error('polars is a baseline for CSV only');
  const limit = values.bytes ? { bytes: parseBytes(values.bytes) } : { rows: Number(values.rows ?? 5_000_000) };
  const runCount = Number(values.runs);
  await mkdir(join(OUT, 'tables'), { recursive: true });
  await writeFile(join(OUT, 'tables/bench.yaml'), FORMATS.map((f) => `bench_*.${f}: bench_trades\n`).join(''));
  const csvPath = join(OUT, `bench_${values.bytes ? `${values.bytes}B` : `${limit.rows}rows`}.csv`);
  const rows = existsSync(`${csvPath}.rows`) ? Number(await readFile(`${csvPath}.rows`, 'utf8')) : await generate(csvPath, limit);
  const csv = format === 'csv' ? csvPath : await convert(csvPath, format);
  const bytes = (await stat(csv)).size;
  console.log(`${rows} rows × 10 columns, ${format}, ${(bytes / 1024 ** 2).toFixed(0)} MiB: ${csv}`);
  const runs: Run[] = [];
  for (let i = 0; i < runCount; i++) {
    for (const tool of tools) {
      const run = await runOnce(tool, csv, join(OUT, 'tables'), i, format);
      if (run.rows !== rows) throw new Error(`${tool} loaded ${run.rows} rows, expected ${rows}`);
      console.log(`  run ${i + 1} ${tool.padEnd(8)} ${(run.wallMs / 1000).toFixed(2)} s  peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
      runs.push(run);
    }
  }
  const summary = { format, machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version }, ...summarise(runs, rows, bytes), runs };
  console.log('\n| tool | median wall | rows/s | peak RSS |\n|---|---|---|---|');
  for (const tool of tools) {
    const s = summary.tools[tool]!;
    console.log(`| ${tool} | ${(s.medianWallMs / 1000).toFixed(2)} s | ${s.rowsPerSecond.toLocaleString('en')} | ${s.peakRssMiB} MiB |`);
  }
  const goal = format === 'csv' ? 0.95 : 0.9;
  if (summary.throughputVsDuckDb !== null) console.log(`\nlandfall / DuckDB CTAS throughput: ${summary.throughputVsDuckDb} (goal ≥ ${goal})`);
  if (summary.throughputVsPolars !== null) console.log(`landfall / Polars → DuckDB throughput: ${summary.throughputVsPolars} (goal ≥ 2)`);
  if (summary.tools.landfall) console.log(`landfall peak RSS: ${summary.tools.landfall.peakRssMiB} MiB (goal ≤ 512 MiB on a 2 GB file)`);
  const file = join(OUT, format !== 'csv' ? `load-${format}.json` : values.bytes ? 'load-bytes.json' : 'load.json');
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`written ${file}`);
}

await main();
