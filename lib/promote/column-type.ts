// The column types `landfall promote --type` accepts: one list, with the synonyms both warehouses use; each adapter names them.
import { TerminalError } from '../errors.js';

export const COLUMN_KINDS = ['string', 'integer', 'bigint', 'double', 'decimal', 'boolean', 'date', 'timestamp', 'json'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ColumnType {
  kind: ColumnKind;
  /** DECIMAL/NUMERIC(precision[, scale]) as written; absent: the warehouse's default. */
  precision?: number;
  scale?: number;
}

/**
 * Every accepted spelling (any case) → its kind. INTEGER is DuckDB's 32-bit integer and BIGINT/INT64 its 64-bit one;
 * BigQuery has only INT64 (its INTEGER and BIGINT are aliases of it). FLOAT is left out: DuckDB reads it as 32 bits,
 * BigQuery as 64.
 */
const SPELLINGS: Readonly<Record<string, ColumnKind>> = {
  VARCHAR: 'string',
  STRING: 'string',
  TEXT: 'string',
  INT: 'integer',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  INT64: 'bigint',
  DOUBLE: 'double',
  FLOAT64: 'double',
  DECIMAL: 'decimal',
  NUMERIC: 'decimal',
  BOOLEAN: 'boolean',
  BOOL: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  JSON: 'json',
};

export const ACCEPTED_TYPES = `${Object.keys(SPELLINGS).join(', ')} (DECIMAL and NUMERIC also as DECIMAL(p) or DECIMAL(p,s))`;

const WRITTEN = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/;

/** The type `text` names, or a TerminalError listing the accepted ones. Undefined text: the warehouse's string type. */
export function parseColumnType(text: string | undefined): ColumnType {
  if (text === undefined) return { kind: 'string' };
  const match = WRITTEN.exec(text);
  const kind = match && SPELLINGS[match[1]!.toUpperCase()];
  const refuse = (why: string) => new TerminalError(`--type ${JSON.stringify(text)}: ${why}`);
  if (!match || !kind) throw refuse(`not a type landfall promotes to; use one of ${ACCEPTED_TYPES}`);
  const [, , precision, scale] = match;
  if (precision === undefined) return { kind };
  if (kind !== 'decimal') throw refuse(`only DECIMAL and NUMERIC take a precision and scale`);
  const p = Number(precision);
  const s = scale === undefined ? 0 : Number(scale);
  if (p < 1 || s > p) throw refuse(`the precision must be at least 1 and the scale at most the precision`);
  return { kind, precision: p, scale: s };
}
