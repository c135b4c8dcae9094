// Promoting a drifted field out of `_extra`: the port each warehouse implements, and the checks and messages they share.
import { TerminalError } from '../errors.js';
import { checkLandfallTable, foldName, nameProblem } from '../load/index.js';
import { parseColumnType } from './column-type.js';
import type { ColumnType } from './column-type.js';

export interface PromoteRequest {
  table: string;
  /** The field as the operator spells it: the new column's name; `_extra` keys match it case-insensitively. */
  field: string;
  type: ColumnType;
}

export interface PromoteResult {
  table: string;
  column: string;
  /** The column's type as the warehouse names it (`BIGINT`, `INT64` …). */
  type: string;
  /** Rows whose `_extra` held the field (a JSON null too): each now holds it in the column, and no longer in `_extra`. */
  rows: number;
  /** The `_extra` keys that matched the field (one unless files spelled it differently, `venue` and `Venue`). */
  keys: string[];
}

/**
 * The port: adds the column, fills it from `_extra` and removes the key from `_extra`, or changes nothing and throws a
 * TerminalError naming why (the table, a value that does not cast, …). DuckDB does it in one transaction; BigQuery
 * cannot add a column inside one (see its adapter).
 */
export type Promote = (request: PromoteRequest) => Promise<PromoteResult>;

/** A field that could never be a column: the rules a header name is held to. Names are trimmed, as header names are. */
export function checkField(field: string): string {
  const name = field.trim();
  const problem = nameProblem(name);
  if (problem) throw new TerminalError(`cannot promote the field: the name ${problem}`);
  return name;
}

/** The table must be landfall's (`_extra`, `_load_id`) and must not have the field as a column yet (any case). */
export function checkPromotable(request: PromoteRequest, columns: readonly string[] | undefined, stringType: string): void {
  const { table, field } = request;
  if (columns === undefined) throw new TerminalError(`there is no table ${table}`, { table });
  checkLandfallTable(table, columns, stringType);
  const existing = columns.find((c) => foldName(c) === foldName(field));
  if (existing !== undefined) {
    throw new TerminalError(`table ${table} already has a column "${existing}" (names are matched case-insensitively): nothing to promote`, { table });
  }
}

/** The `_extra` keys that are the field, matched as a load matches a header to the table's columns (`planColumns`). */
export function keysOf(field: string, keys: readonly string[]): string[] {
  const folded = foldName(field);
  return [...new Set(keys)].filter((key) => foldName(key) === folded).sort();
}

const shown = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

export function noSuchField(request: PromoteRequest): TerminalError {
  const { table, field } = request;
  return new TerminalError(`no row of ${table} has "${field}" in _extra (keys are matched case-insensitively): nothing changed, no column added`, { table });
}

export function spelledTwice(request: PromoteRequest, loadId: string, keys: readonly string[]): TerminalError {
  const { table, field } = request;
  const spellings = keys.map((k) => `"${k}"`).join(', ');
  return new TerminalError(
    `cannot promote ${table}.${field}: a row of load ${loadId} holds the field twice in _extra (${spellings}), and a column holds one value: nothing changed`,
    { table, loadId },
  );
}

export function castFailure(request: PromoteRequest, typeName: string, loadId: string, value: string): TerminalError {
  const { table, field } = request;
  return new TerminalError(
    `cannot promote ${table}.${field} to ${typeName}: a row of load ${loadId} holds ${shown(value)}, which does not cast to ${typeName}: nothing changed`,
    { table, loadId },
  );
}

/** The request `landfall promote TABLE FIELD [--type T]` makes: the field checked and the type read before a warehouse is asked. */
export function promotionOf(table: string, field: string, type?: string): PromoteRequest {
  return { table, field: checkField(field), type: parseColumnType(type) };
}
