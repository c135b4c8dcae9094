// Quoting for DuckDB SQL: every name and value from a file goes through here, never into SQL as it is.

/** A quoted identifier: `a"b` → `"a""b"`. DuckDB matches identifiers case-insensitively, quoted or not. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal: `it's` → `'it''s'` (DuckDB literals have no backslash escapes). SQL reaches DuckDB as a C string,
 * which a NUL would end: a value holding one is spelled with `chr(0)`.
 */
export function literal(value: string): string {
  const quoted = (part: string) => `'${part.replaceAll("'", "''")}'`;
  return value.includes('\0') ? `(${value.split('\0').map(quoted).join(' || chr(0) || ')})` : quoted(value);
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, for TIMESTAMP columns (which hold UTC times). */
export function utcTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
