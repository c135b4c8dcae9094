// Single-`*` file-name globs: splitting, matching (the `*` part is the batch key), expanding and overlap.

/** A pattern with exactly one `*`, split around it. */
export interface SplitPattern {
  prefix: string;
  suffix: string;
}

/** The pattern's prefix and suffix, or undefined unless it has exactly one `*`. */
export function splitPattern(pattern: string): SplitPattern | undefined {
  const star = pattern.indexOf('*');
  if (star < 0 || pattern.indexOf('*', star + 1) >= 0) return undefined;
  return { prefix: pattern.slice(0, star), suffix: pattern.slice(star + 1) };
}

/**
 * The batch key (what `*` stands for) when `baseName` matches `pattern`, else undefined.
 * The key is never empty: `trades_.csv` is no batch of `trades_*.csv`, since an empty key could not pair files.
 */
export function batchKeyOf(pattern: string, baseName: string): string | undefined {
  const split = splitPattern(pattern);
  if (split === undefined) return undefined;
  const { prefix, suffix } = split;
  if (baseName.length <= prefix.length + suffix.length) return undefined;
  if (!baseName.startsWith(prefix) || !baseName.endsWith(suffix)) return undefined;
  const key = baseName.slice(prefix.length, baseName.length - suffix.length);
  // Object names may hold folders; a key never does, or `a_*.csv` would claim `a_x/y.csv`.
  return key.includes('/') ? undefined : key;
}

/** The name `pattern` gives to `batchKey`: `trades_*.go` + `20240115` → `trades_20240115.go`. */
export function expandPattern(pattern: string, batchKey: string): string {
  const split = splitPattern(pattern);
  if (split === undefined) throw new Error(`pattern "${pattern}" must have exactly one *`);
  return split.prefix + batchKey + split.suffix;
}

/**
 * A file name both patterns match, or undefined when none exists.
 * Two single-`*` globs share a name iff one prefix starts the other and one suffix ends the other:
 * then the longer prefix + a key + the longer suffix matches both (with a non-empty key for each).
 */
export function overlapWitness(a: string, b: string): string | undefined {
  const sa = splitPattern(a);
  const sb = splitPattern(b);
  if (sa === undefined || sb === undefined) return undefined;
  const [shortPrefix, longPrefix] = sa.prefix.length <= sb.prefix.length ? [sa.prefix, sb.prefix] : [sb.prefix, sa.prefix];
  const [shortSuffix, longSuffix] = sa.suffix.length <= sb.suffix.length ? [sa.suffix, sb.suffix] : [sb.suffix, sa.suffix];
  if (!longPrefix.startsWith(shortPrefix) || !longSuffix.endsWith(shortSuffix)) return undefined;
  return `${longPrefix}1${longSuffix}`;
}

/** The last path segment of an object name: `incoming/2024/trades_1.csv` → `trades_1.csv`. */
export function baseNameOf(objectName: string): string {
  return objectName.slice(objectName.lastIndexOf('/') + 1);
}
