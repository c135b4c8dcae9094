// The count query, before any commit: rows staged per load, a trailer or NUL rows among them, and per typed column a value that does not cast.
import { BATCH_KEY, ident, stagingColumn, tableRef } from './names.js';
import { all, badValue, trailerMatch } from './staged-sql.js';
import type { StagedFields } from './staged-sql.js';

export interface Where {
  project: string;
  dataset: string;
}

/** A field (1-based position in the header) that goes into a column of `type`, other than STRING: its values are checked. */
export interface CastCheck {
  position: number;
  type: string;
}

/** A staged row holding a NUL byte in one of its `width` values. */
function nulMatch(width: number): string {
  return all(Array.from({ length: width }, (_, i) => `0 IN UNNEST(TO_CODE_POINTS(${ident(stagingColumn(i + 1))}))`), 'OR');
}

/**
 * `bad_0 … bad_{n-1}`: for each check, the least value that does not cast (NULL when all do), padded with NULLs to
 * `n` so that the SELECTs of several staging tables line up. Rows for which `skip` holds are not checked.
 */
function badColumns(fields: StagedFields, checks: readonly CastCheck[], n: number, skip?: string): string[] {
  return Array.from({ length: n }, (_, k) => {
    const check = checks[k];
    const bad = check && badValue(fields, check.position, check.type);
    if (!bad) return `CAST(NULL AS STRING) AS bad_${k}`;
    return `MIN(${skip ? `IF(${skip}, NULL, ${bad})` : bad}) AS bad_${k}`;
  });
}

/** Each check's bad value from a row of the count query. */
export function badValuesOf(row: Record<string, unknown> | undefined, checks: readonly CastCheck[]): (string | null)[] {
  return checks.map((_, k) => (row?.[`bad_${k}`] === null || row?.[`bad_${k}`] === undefined ? null : String(row[`bad_${k}`])));
}

export interface CountOptions {
  /** The trailer's fields when its line was staged with the rows: its row is counted, and not checked. */
  trailer?: readonly string[];
  /** The reader loads NUL bytes (the emulator): rows of a CSV file holding one are counted. */
  nuls?: boolean;
  checks?: readonly CastCheck[];
}

/** One file's staging table: rows, how many equal the trailer, rows holding a NUL, and the checks' bad values. */
export function countSql(where: Where, staging: string, fields: StagedFields, options: CountOptions = {}): string {
  const from = tableRef(where.project, where.dataset, staging);
  const { trailer, checks = [] } = options;
  const nuls = options.nuls && fields.format === 'csv' ? `COUNTIF(${nulMatch(fields.width)})` : '0';
  const match = trailer ? trailerMatch(trailer) : undefined;
  const bad = badColumns(fields, checks, checks.length, match);
  return `SELECT ${['COUNT(*) AS total', `${match ? `COUNTIF(${match})` : '0'} AS trailers`, `${nuls} AS nuls`, ...bad].join(', ')} FROM ${from}`;
}

export interface CountedStaging {
  staging: string;
  fields: StagedFields;
  checks: readonly CastCheck[];
}

/** Per load in each batch staging table (one scan of each): its rows, rows holding a NUL (`loadsNul`), its checks' bad values. */
export function batchCountSql(where: Where, stagings: readonly CountedStaging[], loadsNul: boolean): string {
  const n = Math.max(0, ...stagings.map((s) => s.checks.length));
  return stagings
    .map(({ staging, fields, checks }) => {
      const nuls = loadsNul && fields.format === 'csv' ? `COUNTIF(${nulMatch(fields.width)})` : '0';
      const columns = [`${ident(BATCH_KEY)} AS load_id`, 'COUNT(*) AS total', `${nuls} AS nuls`, ...badColumns(fields, checks, n)];
      return `SELECT ${columns.join(', ')} FROM ${tableRef(where.project, where.dataset, staging)} GROUP BY ${ident(BATCH_KEY)}`;
    })
    .join('\nUNION ALL\n');
}
