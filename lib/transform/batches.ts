// Batch definitions (config/batches/*.yaml): which tables complete a batch key, what dbt then builds, and when.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { ConfigError } from '../errors.js';
import { Problems, describe, durationValue, entriesOf, integerValue, readYamlFile, readYamlTree, textValue } from '../config/index.js';
import type { ConfigFile, Entry, YamlFile } from '../config/index.js';
import type { TriggerBatch } from './batch-state.js';

export const BATCH_POLICIES = ['all_tables', 'each_load'] as const;
/** all_tables: once every member has loaded a key. each_load: after each load, once the key has been quiet a while. */
export type BatchPolicyKind = (typeof BATCH_POLICIES)[number];

export interface BatchDefinition extends TriggerBatch {
  /** Where the batch was written, for messages. */
  source: { file: string; line: number };
}

const BATCH_KEYS = ['tables', 'select', 'policy', 'debounce_seconds', 'per_folder', 'expected_by'] as const;
/** Batch names become Firestore document ids and dbt vars: keep them plain. */
const BATCH_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** What a dbt selection is written with: node names, methods (`tag:`, `path:`), graph operators (`+ @ *`), `,` and spaces. */
const SELECTION = /^[A-Za-z0-9_.:/*+@,\s-]+$/;

interface Context {
  file: YamlFile;
  problems: Problems;
  tables: ReadonlyMap<string, string>;
}

const lineOf = (ctx: Context, entry: Entry): number => ctx.file.lineOf(entry.value, entry.line);
const report = (ctx: Context, line: number, message: string): void => ctx.problems.add(ctx.file.path, line, message);

function readMembers(ctx: Context, entry: Entry): string[] {
  if (!isSeq(entry.value) || entry.value.items.length === 0) {
    report(ctx, lineOf(ctx, entry), `tables must be a non-empty list of table names, got ${describe(entry)}`);
    return [];
  }
  const members: string[] = [];
  for (const item of entry.value.items as Node[]) {
    const line = ctx.file.lineOf(item, entry.line);
    const table = isScalar(item) && typeof item.value === 'string' ? item.value : undefined;
    if (table === undefined) report(ctx, line, 'each member of tables must be a table name');
    else if (members.includes(table)) report(ctx, line, `table ${table} is listed twice`);
    else if (memberProblem(ctx, table, line)) members.push(table);
  }
  return members;
}

/** A member must be a table some mapping writes, spelled as the mapping spells it (load events carry that spelling). */
function memberProblem(ctx: Context, table: string, line: number): boolean {
  const spelled = ctx.tables.get(table.toLowerCase());
  if (spelled === table) return true;
  if (spelled !== undefined) report(ctx, line, `table ${table} is spelled ${spelled} in the table mappings: use that spelling`);
  else report(ctx, line, `table ${table} is not written by any table mapping (known: ${[...new Set(ctx.tables.values())].join(', ')})`);
  return false;
}

function readSelect(ctx: Context, entry: Entry): string | undefined {
  const items = isSeq(entry.value) ? (entry.value.items as Node[]) : [entry.value];
  const parts = items.map((item) => (isScalar(item) && typeof item.value === 'string' ? item.value.trim() : undefined));
  const select = parts.every((p) => p !== undefined && p !== '') ? parts.join(' ') : undefined;
  if (select === undefined) {
    report(ctx, lineOf(ctx, entry), `select must be a dbt selection (e.g. "tag:daily" or "stg_trades+"), got ${describe(entry)}`);
  } else if (!SELECTION.test(select) || select.startsWith('-')) {
    const odd = select.startsWith('-') ? '-' : ([...select].find((c) => !SELECTION.test(c)) ?? '');
    report(ctx, lineOf(ctx, entry), `select "${select}" is not a dbt selection: ${JSON.stringify(odd)} has no meaning there`);
  } else {
    return select.replace(/\s+/g, ' ');
  }
  return undefined;
}

function readPolicy(ctx: Context, at: number, byKey: Map<string, Entry>): TriggerBatch['policy'] | undefined {
  const policy = byKey.get('policy');
  const kind = policy === undefined ? 'all_tables' : textValue(policy);
  const debounce = byKey.get('debounce_seconds');
  if (kind !== 'all_tables' && kind !== 'each_load') {
    report(ctx, lineOf(ctx, policy as Entry), `policy must be one of ${BATCH_POLICIES.join(', ')}, got ${describe(policy as Entry)}`);
    return undefined;
  }
  if (kind === 'all_tables') {
    if (debounce !== undefined) report(ctx, debounce.line, 'debounce_seconds applies to policy each_load only');
    return debounce === undefined ? { kind } : undefined;
  }
  if (debounce === undefined) {
    report(ctx, at, 'policy each_load needs debounce_seconds (how long a batch key must be quiet before dbt runs)');
    return undefined;
  }
  const seconds = integerValue(debounce);
  if (seconds === undefined || seconds < 0) {
    report(ctx, lineOf(ctx, debounce), `debounce_seconds must be a whole number of seconds, 0 or more, got ${describe(debounce)}`);
    return undefined;
  }
  return { kind, debounceSeconds: seconds };
}

function readPerFolder(ctx: Context, entry: Entry | undefined): boolean | undefined {
  if (entry === undefined) return false;
  const value = isScalar(entry.value) ? entry.value.value : undefined;
  if (typeof value === 'boolean') return value;
  report(ctx, lineOf(ctx, entry), `per_folder must be true or false (whether each folder is a batch of its own), got ${describe(entry)}`);
  return undefined;
}

/** expected_by: how long after its first member loaded a batch key must be complete; all_tables batches only. */
function readExpectedBy(ctx: Context, entry: Entry | undefined, policy: BatchDefinition['policy'] | undefined): number | null | undefined {
  if (entry === undefined) return null;
  if (policy !== undefined && policy.kind !== 'all_tables') {
    report(ctx, entry.line, 'expected_by applies to policy all_tables only (a batch key is complete once every member has loaded it)');
    return undefined;
  }
  const value = durationValue(entry, 'expected_by');
  if (typeof value === 'number') return value;
  report(ctx, lineOf(ctx, entry), value.problem);
  return undefined;
}

function readBatch(ctx: Context, entry: Entry): BatchDefinition | undefined {
  const name = entry.key;
  const nameOk = BATCH_NAME.test(name);
  if (!nameOk) report(ctx, entry.line, `batch name "${name}" must be letters, digits, _ or -, starting with a letter or _ (at most 64)`);
  if (!isMap(entry.value)) {
    report(ctx, lineOf(ctx, entry), `batch ${name} must be a mapping { tables, select, policy }, got ${describe(entry)}`);
    return undefined;
  }
  const byKey = new Map(entriesOf(ctx.file, entry.value as YAMLMap, ctx.problems, BATCH_KEYS, `batch ${name}`).map((e) => [e.key, e]));
  const need = (key: string, what: string): Entry | undefined => {
    const found = byKey.get(key);
    if (found === undefined) report(ctx, entry.line, `batch ${name} needs ${key} (${what})`);
    return found;
  };
  const tablesEntry = need('tables', 'the member tables that complete a batch key');
  const selectEntry = need('select', 'the dbt selection to build, e.g. "tag:daily"');
  const tables = tablesEntry === undefined ? [] : readMembers(ctx, tablesEntry);
  const select = selectEntry === undefined ? undefined : readSelect(ctx, selectEntry);
  const policy = readPolicy(ctx, entry.line, byKey);
  const perFolder = readPerFolder(ctx, byKey.get('per_folder'));
  const expectedBy = readExpectedBy(ctx, byKey.get('expected_by'), policy);
  if (!nameOk || tables.length === 0 || select === undefined || policy === undefined || perFolder === undefined || expectedBy === undefined) return undefined;
  const batch: BatchDefinition = { name, tables, select, policy, perFolder, source: { file: ctx.file.path, line: entry.line } };
  if (expectedBy !== null) batch.expectedBySeconds = expectedBy;
  return batch;
}

function readBatchFile(configFile: ConfigFile, tables: ReadonlyMap<string, string>, problems: Problems): BatchDefinition[] {
  const file = readYamlFile(configFile.path, configFile.text, problems);
  if (file === undefined || file.root === null) return [];
  if (!isMap(file.root)) {
    problems.add(file.path, file.lineOf(file.root), 'the top level must map batch names to { tables, select, policy }');
    return [];
  }
  const ctx: Context = { file, problems, tables };
  return entriesOf(file, file.root, problems).flatMap((entry) => readBatch(ctx, entry) ?? []);
}

/**
 * Turns batch files into validated definitions, in file order. Pure. Member tables must be tables the mappings
 * write (`tables`). Throws one ConfigError listing every problem, with file and line.
 */
export function parseBatchDefinitions(files: readonly ConfigFile[], tableNames: readonly string[]): BatchDefinition[] {
  const problems = new Problems();
  const tables = new Map(tableNames.map((table) => [table.toLowerCase(), table]));
  const batches: BatchDefinition[] = [];
  for (const file of files) {
    for (const batch of readBatchFile(file, tables, problems)) {
      const first = batches.find((b) => b.name === batch.name);
      if (first === undefined) batches.push(batch);
      else problems.add(batch.source.file, batch.source.line, `batch ${batch.name} is already defined at ${first.source.file}:${first.source.line}`);
    }
  }
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return batches;
}

/** Reads every *.yaml / *.yml under `root` (nested folders, sorted) as batch definitions over those tables. */
export async function loadBatchDefinitions(root: string, tableNames: readonly string[]): Promise<BatchDefinition[]> {
  return parseBatchDefinitions(await readYamlTree(root, 'batch definitions'), tableNames);
}

/** The batches a load event of `table` can advance. */
export function batchesOfTable(batches: readonly BatchDefinition[], table: string): BatchDefinition[] {
  return batches.filter((batch) => batch.tables.includes(table));
}
