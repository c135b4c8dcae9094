// A fresh DuckDB warehouse in a temp folder, with the inspection the warehouse contract asks for.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import type { DuckDbWarehouse } from '../../../lib/adapters/duckdb/index.js';
import { openLocalFile } from '../../../lib/adapters/local/index.js';
import type { MetadataRecord, WarehouseHarness } from '../../contract/warehouse-contract.js';

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export interface DuckDbHarness extends WarehouseHarness {
  warehouse: DuckDbWarehouse;
  dir: string;
}

export interface DuckDbHarnessOptions {
  memoryLimit?: string;
  /** Writes the database file before the warehouse opens it (a file from an older landfall). */
  prepare?: (dbPath: string) => Promise<void>;
}

export async function newDuckDbHarness(options: DuckDbHarnessOptions = {}): Promise<DuckDbHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'landfall-duckdb-'));
  const landing = join(dir, 'landing');
  await options.prepare?.(join(dir, 'test.duckdb'));
  const warehouse = await openDuckDbWarehouse(join(dir, 'test.duckdb'), { tempDirectory: join(dir, 'tmp'), memoryLimit: options.memoryLimit ?? '256MB', threads: 2 });
  const columns = async (table: string) => {
    const found = await warehouse.query(
      `SELECT column_name FROM duckdb_columns() WHERE lower(table_name) = lower($1) AND schema_name = current_schema() ORDER BY column_index`,
      [table],
    );
    return found.length === 0 ? undefined : found.map((r) => String(r.column_name));
  };
  return {
    warehouse,
    dir,
    async source(path, content) {
      const file = join(landing, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      return openLocalFile(file, { landingRoot: landing });
    },
    columns,
    async rows(table) {
      const names = await columns(table);
      if (!names) return undefined;
      const quoted = names.map((n) => `"${n.replaceAll('"', '""')}"`);
      const found = await warehouse.query(`SELECT ${quoted.map((q) => `${q}::VARCHAR AS ${q}`).join(', ')} FROM "${table}" ORDER BY ALL`);
      return found.map((row) => Object.fromEntries(names.map((n) => [n, text(row[n])])));
    },
    async metadata() {
      const found = await warehouse.query('SELECT * FROM load_metadata ORDER BY started_at, completed_at');
      return found.map(
        (r): MetadataRecord => ({
          load_id: String(r.load_id),
          filename: String(r.filename),
          table_name: String(r.table_name),
          row_count: Number(r.row_count),
          started_at: new Date(`${String(r.started_at)}Z`),
          completed_at: new Date(`${String(r.completed_at)}Z`),
          source_uri: String(r.source_uri),
          source_generation: String(r.source_generation),
          expected_rows: r.expected_rows === null ? null : Number(r.expected_rows),
          bytes: Number(r.bytes),
          status: String(r.status),
          error: text(r.error),
          path: String(r.path),
        }),
      );
    },
    async exec(sql) {
      await warehouse.query(sql);
    },
    async createTable(table, ddl) {
      await warehouse.query(`CREATE TABLE "${table.replaceAll('"', '""')}" (${ddl}, "_extra" JSON, "_load_id" VARCHAR)`);
    },
    async close() {
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
