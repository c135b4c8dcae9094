// Hive partition keys of a load's source URIs (`…/key=value/…` under `sourceUriPrefix`), as BigQuery reads them.

export interface HiveOptions {
  mode?: string;
  sourceUriPrefix?: string;
  requirePartitionFilter?: boolean;
}

/** The key names (in path order, the same for every URI) and each URI's values. */
export interface HiveKeys {
  keys: string[];
  values: string[][];
}

/** Values in object names may be percent-encoded (`a%20b`); one that is not valid encoding is taken as written. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `gs://bucket/prefix/{key:STRING}/…` (a custom layout) → `gs://bucket/prefix/` and the declared keys. */
function readPrefix(prefix: string): { base: string; declared: string[] } {
  const brace = prefix.indexOf('{');
  const base = brace < 0 ? prefix : prefix.slice(0, brace);
  const declared = [...prefix.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z0-9_]+)?\}/g)].map((m) => m[1]!);
  return { base: base.endsWith('/') ? base : `${base}/`, declared };
}

/**
 * The keys of every URI, or the reason BigQuery would refuse the load. Each folder between the prefix and the file
 * must be `key=value`; a wildcard may only stand in the file's own name (the gate does not list objects, so it
 * cannot tell the keys of objects a wildcard folder would match).
 */
export function hiveKeys(options: HiveOptions, uris: readonly string[]): HiveKeys | { problem: string } {
  if (!options.sourceUriPrefix) return { problem: 'hivePartitioningOptions.sourceUriPrefix is required for a load with hive partitioning' };
  const { base, declared } = readPrefix(options.sourceUriPrefix);
  let keys: string[] | undefined;
  const values: string[][] = [];
  for (const uri of uris) {
    if (!uri.startsWith(base)) return { problem: `The source URI ${uri} does not start with the hive partitioning source URI prefix ${base}` };
    const folders = uri.slice(base.length).split('/').slice(0, -1);
    if (folders.some((f) => f.includes('*'))) return { problem: `The quota gate cannot read hive partition keys under a wildcard folder: ${uri}` };
    const pairs = folders.map((folder) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(folder));
    const bad = folders.find((_, i) => !pairs[i]);
    if (bad !== undefined) return { problem: `Hive partition folder "${bad}" of ${uri} is not of the form key=value` };
    const names = pairs.map((p) => p![1]!);
    keys ??= names;
    if (names.join('/') !== keys.join('/')) return { problem: `The hive partition keys of ${uri} (${names.join(', ')}) differ from those of ${uris[0]} (${keys.join(', ')})` };
    values.push(pairs.map((p) => decoded(p![2]!)));
  }
  if (declared.length > 0 && (keys ?? []).join('/') !== declared.join('/')) {
    return { problem: `The hive partition keys in the URIs (${(keys ?? []).join(', ')}) differ from those of sourceUriPrefix (${declared.join(', ')})` };
  }
  return { keys: keys ?? [], values };
}
