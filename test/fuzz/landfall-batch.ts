// Runs generated files through `landfall load --json` (one process, one DuckDB file, a mapping per file) and compares each with the reference.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli } from '../e2e/harness.js';
import type { CsvCase } from './csv-cases.js';
import { expectedOutcome, type CaseNames, type Expected } from './reference.js';


interface Printed {
  file: string;
  status: string;
  rows: number;
  loadId: string | null;
  error: string | null;
  problem: { file: string; line: number | null } | null;
}

export interface Mismatch {
  index: number;
  expected: Expected;
  actual: Printed & { values?: string[][] };
}

function namesOf(c: CsvCase, i: number): CaseNames {
  const data = `fz${i}_k.csv${c.gzip ? '.gz' : ''}`;
  if (!c.goFile) return { data };
  return { data, go: `fz${i}_k.${c.goFile.format === 'csv' ? 'ctl' : 'go'}` };
}

function mappingYaml(c: CsvCase, i: number): string {
  const lines = [`fz${i}_*.csv:`, `  table: fz${i}`, `  delimiter: ${JSON.stringify(c.delimiter)}`];
  if (c.trailer) lines.push(`  trailer: { row_count_column: 2${c.trailer.marker ? `, marker: ${c.trailer.marker}` : ''} }`);
  if (c.goFile?.format === 'properties') lines.push(`  go_file: { pattern: fz${i}_*.go, format: properties, row_count_key: record_count }`);
  if (c.goFile?.format === 'csv') lines.push(`  go_file: { pattern: fz${i}_*.ctl, format: csv, name_column: 1, row_count_column: 2, status_column: 3 }`);
  return lines.join('\n');
}

function goText(c: CsvCase, names: CaseNames): string {
  const go = c.goFile!;
  if (go.format === 'properties') return `record_count=${go.count}\n`;
  return `${go.name === 'self' ? names.data : 'other.csv'},${go.count},${go.status}\n`;
}

async function valuesOf(db: string, printed: Map<number, Printed>): Promise<Map<number, string[][]>> {
  const values = new Map<number, string[][]>();
  const instance = await DuckDBInstance.create(db);
  try {
    const connection = await instance.connect();
    for (const [i, p] of printed) {
      if (p.status !== 'loaded') continue;
      const reader = await connection.runAndReadAll(`SELECT * EXCLUDE ("_extra", "_load_id") FROM "fz${i}" WHERE "_load_id" = $1`, [p.loadId]);
      values.set(i, reader.getRows().map((row) => row.map((v) => (v === null ? '\u2400NULL' : String(v)))));
    }
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
  return values;
}

const sorted = (rows: string[][]) => [...rows].map((r) => JSON.stringify(r)).sort();

/** Whether landfall did what the reference says: exactly its rows, or a failure naming its file and line. */
function agrees(expected: Expected, actual: Printed, values: string[][] | undefined): boolean {
  if (expected.status === 'failed') {
    return actual.status === 'failed' && actual.problem?.file === expected.file && actual.problem.line === expected.line && (actual.error ?? '').includes(expected.file);
  }
  if (actual.status !== 'loaded' || actual.rows !== expected.rows.length || values === undefined) return false;
  return JSON.stringify(sorted(values)) === JSON.stringify(sorted(expected.rows));
}

/** Loads `cases` in one `landfall load` run; returns the files where landfall and the reference disagree. */
export async function differences(cases: readonly CsvCase[]): Promise<Mismatch[]> {
  const dir = await mkdtemp(join(tmpdir(), 'landfall-fuzz-'));
  try {
    const landing = join(dir, 'landing');
    await mkdir(landing, { recursive: true });
    await mkdir(join(dir, 'tables'));
    const names = cases.map(namesOf);
    await writeFile(join(dir, 'tables', 'fuzz.yaml'), cases.map(mappingYaml).join('\n') + '\n');
    await Promise.all(
      cases.map(async (c, i) => {
        await writeFile(join(landing, names[i]!.data), c.gzip ? gzipSync(c.content) : c.content);
        if (c.goFile) await writeFile(join(landing, names[i]!.go!), goText(c, names[i]!));
      }),
    );
    const db = join(dir, 'fuzz.duckdb');
    const files = names.map((n) => join(landing, n.data));
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    // A long run shares the machine: a batch may take minutes, and a CLI cut short would print part of its outcomes.
    const { code, stdout, stderr } = await runCli(['load', '--json', '--tables', join(dir, 'tables'), '--duckdb', db, '--landing', landing, ...files], env, 30 * 60_000);
    const printed = new Map<number, Printed>();
    for (const line of stdout.split('\n').filter(Boolean)) {
      const p = JSON.parse(line) as Printed;
      printed.set(Number(/^fz(\d+)_/.exec(p.file)?.[1]), p);
    }
    if (printed.size !== cases.length) throw new Error(`landfall (exit ${code}) printed ${printed.size} outcomes for ${cases.length} files:\n${stdout}\n${stderr}`);
    const values = await valuesOf(db, printed);
    const mismatches: Mismatch[] = [];
    cases.forEach((c, i) => {
      const expected = expectedOutcome(c, names[i]!);
      const actual = printed.get(i)!;
      if (!agrees(expected, actual, values.get(i))) mismatches.push({ index: i, expected, actual: { ...actual, ...(values.has(i) ? { values: values.get(i)! } : {}) } });
    });
    return mismatches;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
