// Table mappings (config/tables/**.yaml): read, validated as a whole, every problem reported at once with file:line.
import { isMap } from 'yaml';
import { ConfigError } from '../errors.js';
import type { TableMapping } from './mapping.js';
import { findConflicts } from './mapping-conflicts.js';
import { readMappingEntry } from './mapping-entry.js';
import type { Draft } from './mapping-entry.js';
import { Problems, entriesOf, readYamlFile } from './yaml-file.js';
import { readYamlTree } from './yaml-tree.js';
import type { ConfigFile } from './yaml-tree.js';

function readFileDrafts(file: ConfigFile, problems: Problems): Draft[] | undefined {
  const yaml = readYamlFile(file.path, file.text, problems);
  if (yaml === undefined) return undefined;
  if (yaml.root === null) return [];
  if (!isMap(yaml.root)) {
    problems.add(file.path, yaml.lineOf(yaml.root), 'the top level must map file patterns to tables, e.g. "trades_*.csv: raw_trades"');
    return undefined;
  }
  return entriesOf(yaml, yaml.root, problems).map((entry) => readMappingEntry(yaml, entry, problems));
}

/**
 * Turns table-mapping files into validated mappings, in file order. Pure. Throws one ConfigError listing every
 * problem (bad YAML, unknown keys, bad patterns or go-file rules, overlapping patterns, conflicting tables).
 */
export function parseTableMappings(files: readonly ConfigFile[]): TableMapping[] {
  const problems = new Problems();
  const drafts: Draft[] = [];
  let unreadable = 0;
  for (const file of files) {
    const fileDrafts = readFileDrafts(file, problems);
    if (fileDrafts === undefined) unreadable++;
    else drafts.push(...fileDrafts);
  }
  if (drafts.length === 0 && unreadable === 0) {
    if (files.length === 0) problems.add('(no files)', 0, 'no table mappings were given');
    for (const file of files) problems.add(file.path, 1, 'defines no table mappings, and no other file does either');
  }
  findConflicts(drafts, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return drafts.map((draft) => draft.mapping);
}

/** Reads every *.yaml / *.yml under `root` (nested folders, sorted) and validates them as one set of mappings. */
export async function loadTableMappings(root: string): Promise<TableMapping[]> {
  return parseTableMappings(await readYamlTree(root, 'table mappings'));
}

/**
 * The table names the mappings write, read past any problem that does not hide a name (a bad go_file, a pattern
 * that overlaps another): what a consumer of table names alone, the dbt trigger, needs, without being stopped by a
 * mapping problem that is the loader's to report.
 */
export async function loadTableNames(root: string): Promise<string[]> {
  const drafts = (await readYamlTree(root, 'table mappings')).flatMap((file) => readFileDrafts(file, new Problems()) ?? []);
  return [...new Set(drafts.filter((d) => d.tableOk).map((d) => d.mapping.table))];
}
