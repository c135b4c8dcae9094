// A mapping's `go_file: { pattern, format, row_count_key | row_count_column, name_…, status_…, status_ok }` → a GoFileRule.
import { isSeq, isScalar } from 'yaml';
import { GO_FORMATS } from './mapping.js';
import type { GoFileRule } from './mapping.js';
import type { Draft } from './mapping-entry.js';
import { goPatternProblems } from './rules.js';
import { describe, entriesOf, mapValue, readColumn, textValue } from './yaml-file.js';
import type { Entry, Problems, YamlFile } from './yaml-file.js';

const GO_FILE_KEYS = ['pattern', 'format', 'row_count_key', 'row_count_column', 'name_key', 'name_column', 'status_key', 'status_column', 'status_ok'] as const;

/** Which keys each format reads: where the count, the vouched-for file's name and the producer's status are. */
const FORMAT_KEYS = {
  properties: { count: 'row_count_key', name: 'name_key', status: 'status_key' },
  csv: { count: 'row_count_column', name: 'name_column', status: 'status_column' },
} as const;

type Format = (typeof GO_FORMATS)[number];
type Read = (entry: Entry, key: string) => string | number | undefined;

export function readGoFile(file: YamlFile, entry: Entry, draft: Draft, problems: Problems): void {
  const map = mapValue(entry);
  if (map === undefined) {
    problems.add(file.path, file.lineOf(entry.value, entry.line), `go_file must be a mapping { pattern, format, row_count_key | row_count_column }, got ${describe(entry)}`);
    return;
  }
  const byKey = new Map(entriesOf(file, map, problems, GO_FILE_KEYS, 'go_file').map((e) => [e.key, e]));
  const pattern = readGoPattern(file, entry, byKey.get('pattern'), draft, problems);
  const format = byKey.get('format');
  const formatText = format === undefined ? undefined : textValue(format);
  if (format === undefined) {
    problems.add(file.path, entry.line, `go_file needs a format (${GO_FORMATS.join(' or ')})`);
    return;
  }
  if (formatText !== 'properties' && formatText !== 'csv') {
    problems.add(file.path, file.lineOf(format.value, format.line), `unknown go_file format ${describe(format)} (expected ${GO_FORMATS.join(' or ')})`);
    return;
  }
  const rule = readFields(file, entry, formatText, byKey, problems);
  if (rule !== undefined && pattern !== undefined) draft.mapping.goFile = { pattern, ...rule } as GoFileRule;
}

function readGoPattern(file: YamlFile, goFile: Entry, entry: Entry | undefined, draft: Draft, problems: Problems): string | undefined {
  if (entry === undefined) {
    problems.add(file.path, goFile.line, 'go_file needs a pattern with one * (e.g. trades_*.go), the batch key it shares with the data file');
    return undefined;
  }
  const pattern = textValue(entry);
  const line = file.lineOf(entry.value, entry.line);
  if (pattern === undefined) {
    problems.add(file.path, line, `go_file pattern must be text, got ${describe(entry)}`);
    return undefined;
  }
  const messages = goPatternProblems(pattern, draft.mapping.pattern, draft.patternOk);
  for (const message of messages) problems.add(file.path, line, message);
  draft.goPatternOk = messages.length === 0;
  return pattern;
}

/** A properties key: a name without `=`. */
function readKey(file: YamlFile, entry: Entry, problems: Problems): string | undefined {
  const key = textValue(entry)?.trim();
  if (key === undefined || key === '' || key.includes('=')) {
    problems.add(file.path, file.lineOf(entry.value, entry.line), `go_file ${entry.key} must be a key name without "=", got ${describe(entry)}`);
    return undefined;
  }
  return key;
}

/** `status_ok`: one status or a list of them, each plain text. */
function readStatusOk(file: YamlFile, entry: Entry, problems: Problems): string[] | undefined {
  const items = isSeq(entry.value) ? entry.value.items : [entry.value];
  const values = items.map((item) => (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number') ? String(item.value).trim() : ''));
  if (values.length === 0 || values.some((v) => v === '')) {
    problems.add(file.path, file.lineOf(entry.value, entry.line), `go_file status_ok must be a status or a list of them, e.g. [SUCCESS], got ${describe(entry)}`);
    return undefined;
  }
  return values;
}

function readFields(file: YamlFile, goFile: Entry, format: Format, byKey: Map<string, Entry>, problems: Problems): Omit<GoFileRule, 'pattern'> | undefined {
  const keys = FORMAT_KEYS[format];
  const other = FORMAT_KEYS[format === 'csv' ? 'properties' : 'csv'];
  for (const stray of Object.values(other).map((k) => byKey.get(k)).filter((e): e is Entry => e !== undefined)) {
    problems.add(file.path, stray.line, `${stray.key} does not apply to go_file format ${format}, which reads ${Object.values(keys).join(', ')}`);
  }
  const count = byKey.get(keys.count);
  if (count === undefined) {
    const what = format === 'properties' ? 'the key whose value is the row count, e.g. record_count' : 'the 1-based column holding the row count';
    problems.add(file.path, goFile.line, `go_file format ${format} needs ${keys.count} (${what})`);
    return undefined;
  }
  const read: Read = (entry, key) => (format === 'csv' ? readColumn(file, entry, `go_file ${key}`, problems) : readKey(file, entry, problems));
  const at = (key: string) => {
    const entry = byKey.get(key);
    return entry === undefined ? undefined : { value: read(entry, key), line: entry.line };
  };
  const [rowCount, name, status] = [at(keys.count), at(keys.name), at(keys.status)];
  const okEntry = byKey.get('status_ok');
  const statusOk = okEntry === undefined ? undefined : readStatusOk(file, okEntry, problems);
  if (okEntry !== undefined && status === undefined) problems.add(file.path, okEntry.line, `go_file status_ok needs ${keys.status} (where the status is)`);
  const taken = [rowCount, name, status].filter((f) => f?.value !== undefined);
  if (new Set(taken.map((f) => f!.value)).size < taken.length) {
    problems.add(file.path, goFile.line, `go_file ${keys.count}, ${keys.name} and ${keys.status} must each name a different ${format === 'csv' ? 'column' : 'key'}`);
  }
  const unread = (f: { value: unknown } | undefined) => f !== undefined && f.value === undefined;
  if (rowCount?.value === undefined || unread(name) || unread(status) || (okEntry !== undefined && statusOk === undefined)) return undefined;
  const names = format === 'csv' ? { count: 'rowCountColumn', name: 'nameColumn', status: 'statusColumn' } : { count: 'rowCountKey', name: 'nameKey', status: 'statusKey' };
  return {
    format,
    [names.count]: rowCount.value,
    ...(name ? { [names.name]: name.value } : {}),
    ...(status ? { [names.status]: status.value } : {}),
    ...(statusOk ? { statusOk } : {}),
  } as Omit<GoFileRule, 'pattern'>;
}
