// Values as a warehouse prints them, put in one form whatever the backend: compare a typed load's rows with the format fixtures' manifest.
import type { ExpectedColumn, ExpectedValue } from '../fixtures/formats/index.js';

/** JSON with object keys sorted, so that two warehouses' spacing and key order do not differ. */
function canonicalJson(text: string): string {
  const sort = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sort(x)]))
      : Array.isArray(v) ? v.map(sort) : v;
  return JSON.stringify(sort(JSON.parse(text)));
}

/** `12.30` and `12.3` alike: a NUMERIC prints no trailing zeros, a DECIMAL(10,2) its scale. */
function canonicalDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/** Microseconds since the epoch of a timestamp as DuckDB (`… 09:30:00.5+00`), BigQuery or the manifest (`…T09:30:00.500000Z`) print it. */
function canonicalTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return `unreadable timestamp ${text}`;
  const zone = m[4] ?? 'Z';
  const offset = /^[+-]/.test(zone) ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.replace(':', '').slice(3, 5) || 0)) : 0;
  const seconds = BigInt(Date.parse(`${m[1]}T${m[2]}Z`) / 1000 - offset * 60);
  const micros = BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  return String(seconds * 1_000_000n + micros);
}

/** One value (a warehouse's text, or the manifest's value) in the form both are compared in. */
export function neutral(value: string | ExpectedValue, column: ExpectedColumn): string | null {
  if (value === null) return null;
  const text = String(value);
  if (column.jsonText || column.type === 'json') return canonicalJson(text);
  switch (column.type) {
    case 'decimal':
      return canonicalDecimal(text);
    case 'float':
      return String(Number(text));
    case 'timestamp':
      return canonicalTimestamp(text);
    default:
      return text;
  }
}

/** Rows in the neutral form, ordered by their first column (the fixtures' `id`), read as a number. */
export function neutralRows(rows: readonly Record<string, string | ExpectedValue>[], columns: readonly ExpectedColumn[]): Record<string, string | null>[] {
  const first = columns[0]!.name;
  return rows
    .map((row) => Object.fromEntries(columns.map((c) => [c.name, neutral(row[c.name] ?? null, c)])))
    .sort((a, b) => Number(a[first]) - Number(b[first]));
}
