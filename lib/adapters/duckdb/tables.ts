// What is already in the DuckDB catalog: whether a table exists, is a landfall table, and its columns.
import type { DuckDBConnection } from '@duckdb/node-api';
import { TerminalError } from '../../errors.js';
import { checkLandfallTable } from '../../load/index.js';

async function objectKind(connection: DuckDBConnection, table: string): Promise<'table' | 'view' | undefined> {
  const reader = await connection.runAndReadAll(
    `SELECT 'table' AS kind FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = current_schema() AND lower(table_name) = lower($1)
     UNION ALL
     SELECT 'view' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = current_schema() AND lower(view_name) = lower($1)`,
    [table],
  );
  const kind = reader.getRowObjectsJS()[0]?.kind;
  return kind === 'table' || kind === 'view' ? kind : undefined;
}

export async function tableColumns(connection: DuckDBConnection, table: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema()
     AND lower(table_name) = lower($1) ORDER BY column_index`,
    [table],
  );
  return reader.getRowObjectsJS().map((row) => String(row.column_name));
}

/**
 * The target table's columns, or undefined when there is no such table yet (the load creates it). A table of that
 * name that landfall did not create (a view, or no `_extra`/`_load_id`) is refused rather than written into.
 */
export async function landfallTableColumns(connection: DuckDBConnection, table: string): Promise<string[] | undefined> {
  const kind = await objectKind(connection, table);
  if (kind === 'view') throw new TerminalError(`${table} is a view, not a table: landfall loads only into tables`, { table });
  if (kind === undefined) return undefined;
  const columns = await tableColumns(connection, table);
  checkLandfallTable(table, columns, 'VARCHAR');
  return columns;
}

/**
 * The columns of the tables one open warehouse has found. While it is open no other process can write the file
 * (DuckDB's lock), and a load never changes a table's columns (drift goes to `_extra`), so what was found holds until
 * it closes, unless a transaction that found them rolls back (it may have created them) or a promotion ran through
 * the same warehouse (it adds a column): then all is forgotten.
 */
export class TableCatalog {
  private readonly known = new Map<string, string[]>();

  constructor(private readonly connection: DuckDBConnection) {}

  async columns(table: string): Promise<string[] | undefined> {
    const key = table.toLowerCase();
    const hit = this.known.get(key);
    if (hit) return hit;
    const columns = await landfallTableColumns(this.connection, table);
    if (columns) this.known.set(key, columns);
    return columns;
  }

  /** After a rollback: a table found inside the transaction may be gone with it. */
  forget(): void {
    this.known.clear();
  }
}
