// How a staged row's STRING fields become a table's values: a CSV field's text, or a copy's text and JSON text, cast to the column's type; `_extra`.
import type { FileFormat } from '../../config/index.js';
import type { ColumnPlan } from '../../load/index.js';
import { ident, literal, stagingColumn } from './names.js';

/**
 * What a staging table holds for a file of `width` fields. CSV: field i in column i. Any other format (landfall's
 * NDJSON copy): field i's text in column i (NULL for a null or a missing key) and its JSON text in column width + i
 * (`null` for a null, NULL for a missing key), so `_extra` keeps JSON types and a JSON column gets the value itself.
 */
export interface StagedFields {
  format: FileFormat;
  width: number;
}

/** Staging columns a file needs: its fields, and for a copy their JSON texts. */
export const stagingWidth = (s: StagedFields) => (s.format === 'csv' ? s.width : 2 * s.width);

/**
 * The emulator's SQLite turns `a OR b OR …` and `CONCAT(a, b, …)` into one function call, which takes at most 127
 * arguments: a wide file's terms are grouped in nested calls of at most this many (BigQuery reads them the same).
 */
const MAX_ARGS = 100;

export function grouped(terms: readonly string[], join: (part: readonly string[]) => string): string {
  if (terms.length <= MAX_ARGS) return join(terms);
  const groups = Array.from({ length: Math.ceil(terms.length / MAX_ARGS) }, (_, i) => join(terms.slice(i * MAX_ARGS, (i + 1) * MAX_ARGS)));
  return grouped(groups, join);
}

export const all = (terms: readonly string[], op: 'AND' | 'OR') => grouped(terms, (part) => `(${part.join(` ${op} `)})`);
const concat = (terms: readonly string[]) => grouped(terms, (part) => `CONCAT(${part.join(', ')})`);

/**
 * Field `position`'s text. For CSV the backend may load an empty field as NULL (the emulator always does; BigQuery
 * does not, given a null marker no file contains), so a staged NULL means "empty" wherever the row had that field.
 */
export function value(s: StagedFields, position: number): string {
  const column = ident(stagingColumn(position));
  return s.format === 'csv' ? `COALESCE(${column}, '')` : column;
}

const jsonText = (s: StagedFields, position: number) => ident(stagingColumn(s.width + position));

/**
 * Field `position` as a value of `type`. A value that does not cast is NULL here: the count query has checked that
 * none does (badValue) before any commit runs. BYTES are base64, as BigQuery's own loads take them. JSON numbers keep
 * their digits where the JSON type can (`round`: a number it cannot hold exactly is rounded, not refused).
 */
export function cast(s: StagedFields, position: number, type: string): string {
  const text = value(s, position);
  if (type === 'STRING') return text;
  if (type === 'BYTES') return `SAFE.FROM_BASE64(${text})`;
  if (type === 'JSON') {
    const json = s.format === 'csv' ? text : `IF(${text} IS NULL, NULL, ${jsonText(s, position)})`;
    return `SAFE.PARSE_JSON(${json}, wide_number_mode => 'round')`;
  }
  return `SAFE_CAST(${text} AS ${type})`;
}

/** The text of field `position` when it does not cast to `type`, else NULL; undefined where every value casts. */
export function badValue(s: StagedFields, position: number, type: string): string | undefined {
  // A copy's JSON text is JSON, written by landfall's reader.
  if (type === 'STRING' || (type === 'JSON' && s.format !== 'csv')) return undefined;
  const text = value(s, position);
  return `IF(${text} IS NOT NULL AND ${cast(s, position, type)} IS NULL, ${text}, NULL)`;
}

/**
 * `_extra` as one JSON object of the fields the table has no column for; NULL when there are none. CSV values are
 * strings; a copy's keep their JSON text as written, and a key the record lacks is left out.
 */
export function extraExpression(s: StagedFields, plan: ColumnPlan): string {
  if (plan.extra.length === 0) return 'CAST(NULL AS JSON)';
  if (s.format === 'csv') {
    const pairs = plan.extra.flatMap((e, i) => [...(i === 0 ? [] : ["','"]), literal(JSON.stringify(e.key)), "':'", `TO_JSON_STRING(${value(s, e.position)})`]);
    return `PARSE_JSON(${concat(["'{'", ...pairs, "'}'"])})`;
  }
  const members = plan.extra.map((e) => `IF(${jsonText(s, e.position)} IS NULL, NULL, CONCAT(${literal(`${JSON.stringify(e.key)}:`)}, ${jsonText(s, e.position)}))`);
  // ARRAY_TO_STRING leaves out NULL members; a group with none is '' and then NULL, so no member is an empty object.
  const joined = grouped(members, (part) => `NULLIF(ARRAY_TO_STRING([${part.join(', ')}], ','), '')`);
  return `PARSE_JSON(CONCAT('{', ${joined}, '}'), wide_number_mode => 'round')`;
}

/** True for a CSV file's staged row equal to the trailer, field by field. */
export function trailerMatch(trailer: readonly string[]): string {
  const csv: StagedFields = { format: 'csv', width: trailer.length };
  return all(trailer.map((field, i) => `${value(csv, i + 1)} = ${literal(field)}`), 'AND');
}
