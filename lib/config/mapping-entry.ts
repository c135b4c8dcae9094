// One `pattern: table` or `pattern: { table, format, go_file | trailer, delimiter, reupload, max_wait }` entry → a TableMapping draft.
import { isMap, isScalar } from 'yaml';
import type { YAMLMap } from 'yaml';
import { FILE_FORMATS, formatOfName } from './file-format.js';
import type { FileFormat } from './file-format.js';
import { REUPLOAD_POLICIES } from './mapping.js';
import type { ReuploadPolicy, TableMapping, TrailerRule } from './mapping.js';
import { readGoFile } from './go-file-entry.js';
import { describe, entriesOf, mapValue, readColumn, textValue } from './yaml-file.js';
import type { Entry, Problems, YamlFile } from './yaml-file.js';
import { checkPattern, tableNameProblem } from './rules.js';
import { durationValue } from './duration.js';

export const MAPPING_KEYS = ['table', 'format', 'go_file', 'trailer', 'delimiter', 'reupload', 'max_wait'] as const;
const TRAILER_KEYS = ['row_count_column', 'marker'] as const;

/** A mapping as read, with which of its parts passed, so cross-checks skip what is already reported broken. */
export interface Draft {
  mapping: TableMapping;
  patternOk: boolean;
  goPatternOk: boolean;
  tableOk: boolean;
}

/** Reads one top-level entry; every problem goes to `problems`, and the draft carries what could be read. */
export function readMappingEntry(file: YamlFile, entry: Entry, problems: Problems): Draft {
  const pattern = entry.key;
  const patternOk = checkPattern(pattern, 'pattern', (m) => problems.add(file.path, entry.line, m));
  const draft: Draft = {
    mapping: { pattern, table: '', delimiter: ',', reupload: 'replace', source: { file: file.path, line: entry.line } },
    patternOk,
    goPatternOk: false,
    tableOk: false,
  };
  if (isScalar(entry.value) && typeof entry.value.value === 'string') {
    draft.tableOk = readTable(file, entry, draft, problems);
  } else if (isMap(entry.value)) {
    readFullForm(file, entry, draft, problems);
  } else {
    problems.add(
      file.path,
      entry.line,
      `"${pattern}" must map to a table name or to { table, go_file | trailer, delimiter, reupload }, got ${describe(entry)}`,
    );
  }
  return draft;
}

function readTable(file: YamlFile, entry: Entry, draft: Draft, problems: Problems): boolean {
  const table = textValue(entry);
  const problem = table === undefined ? `table must be a name, got ${describe(entry)}` : tableNameProblem(table);
  if (problem !== undefined) {
    problems.add(file.path, file.lineOf(entry.value, entry.line), problem);
    return false;
  }
  draft.mapping.table = table as string;
  return true;
}

function readFullForm(file: YamlFile, entry: Entry, draft: Draft, problems: Problems): void {
  const at = (e: Entry): number => file.lineOf(e.value, e.line);
  const entries = entriesOf(file, entry.value as YAMLMap, problems, MAPPING_KEYS, `"${entry.key}"`);
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const table = byKey.get('table');
  if (table === undefined) problems.add(file.path, entry.line, `"${entry.key}" needs a table`);
  else draft.tableOk = readTable(file, table, draft, problems);

  const goFile = byKey.get('go_file');
  const trailer = byKey.get('trailer');
  if (goFile !== undefined) readGoFile(file, goFile, draft, problems);
  if (trailer !== undefined) {
    const rule = readTrailer(file, trailer, problems);
    if (rule !== undefined) draft.mapping.trailer = rule;
  }
  if (goFile !== undefined && trailer !== undefined) {
    problems.add(
      file.path,
      Math.max(goFile.line, trailer.line),
      'a mapping takes go_file or trailer, not both: each states the expected row count, and a file is checked against one',
    );
  }
  const delimiter = byKey.get('delimiter');
  if (delimiter !== undefined) {
    const value = readDelimiter(delimiter);
    if (typeof value === 'string') draft.mapping.delimiter = value;
    else problems.add(file.path, at(delimiter), value.problem);
  }
  const reupload = byKey.get('reupload');
  if (reupload !== undefined) {
    const value = textValue(reupload);
    if (value !== undefined && (REUPLOAD_POLICIES as readonly string[]).includes(value)) {
      draft.mapping.reupload = value as ReuploadPolicy;
    } else {
      problems.add(file.path, at(reupload), `reupload must be one of ${REUPLOAD_POLICIES.join(', ')}, got ${describe(reupload)}`);
    }
  }
  readFormat(file, byKey, draft, problems);
  const maxWait = byKey.get('max_wait');
  if (maxWait !== undefined) {
    const value = durationValue(maxWait, 'max_wait');
    if (goFile === undefined) problems.add(file.path, maxWait.line, 'max_wait applies to go_file mappings only (how long a data file may wait for its go file)');
    else if (typeof value === 'number') draft.mapping.maxWaitSeconds = value;
    else problems.add(file.path, at(maxWait), value.problem);
  }
}

/**
 * `format:` names one of FILE_FORMATS. A trailer line and a delimiter are CSV's: a mapping whose files are another
 * format (by `format:`, or by the pattern's extension) cannot have them.
 */
function readFormat(file: YamlFile, byKey: Map<string, Entry>, draft: Draft, problems: Problems): void {
  const entry = byKey.get('format');
  let format: FileFormat | undefined;
  if (entry !== undefined) {
    const value = textValue(entry);
    if (value !== undefined && (FILE_FORMATS as readonly string[]).includes(value)) draft.mapping.format = format = value as FileFormat;
    else problems.add(file.path, file.lineOf(entry.value, entry.line), `format must be one of ${FILE_FORMATS.join(', ')}, got ${describe(entry)}`);
  }
  format ??= formatOfName(draft.mapping.pattern);
  if (format === undefined || format === 'csv') return;
  const why = entry === undefined ? `its pattern says ${format}` : `its format is ${format}`;
  for (const key of ['trailer', 'delimiter'] as const) {
    const csvOnly = byKey.get(key);
    if (csvOnly !== undefined) problems.add(file.path, csvOnly.line, `${key} is for CSV files, and this mapping's files are not CSV (${why})`);
  }
}

/** A delimiter is one character, and not one that CSV itself gives meaning to (quote, line break). */
function readDelimiter(entry: Entry): string | { problem: string } {
  const value = textValue(entry);
  if (value === undefined || [...value].length !== 1) {
    const hint = value === '' || value === undefined ? ' (YAML gives | > # & * ! meaning: quote them, e.g. delimiter: "|")' : '';
    return { problem: `delimiter must be exactly one character, got ${describe(entry)}${hint}` };
  }
  if (value === '"' || value === '\n' || value === '\r') {
    return { problem: `delimiter ${JSON.stringify(value)} can't be used: CSV reserves it for quoting and line breaks` };
  }
  return value;
}

/** `{ row_count_column: N, marker?: TEXT }`: a 1-based column of at least 1, and the first field that marks the line. */
function readTrailer(file: YamlFile, entry: Entry, problems: Problems): TrailerRule | undefined {
  const map = mapValue(entry);
  if (map === undefined) {
    problems.add(file.path, file.lineOf(entry.value, entry.line), `trailer must be a mapping { row_count_column: N, marker: TEXT }, got ${describe(entry)}`);
    return undefined;
  }
  const byKey = new Map(entriesOf(file, map, problems, TRAILER_KEYS, 'trailer').map((e) => [e.key, e]));
  const column = byKey.get('row_count_column');
  if (column === undefined) {
    problems.add(file.path, entry.line, 'trailer needs row_count_column (the 1-based column holding the row count)');
    return undefined;
  }
  const rowCountColumn = readColumn(file, column, 'trailer row_count_column', problems);
  const markerEntry = byKey.get('marker');
  const marker = markerEntry === undefined ? undefined : readMarker(file, markerEntry, problems);
  if (rowCountColumn === undefined || marker === null) return undefined;
  return marker === undefined ? { rowCountColumn } : { rowCountColumn, marker };
}

/** The marker is compared with the trailer's first field as read: plain text, no quote, line break or surrounding space. */
function readMarker(file: YamlFile, entry: Entry, problems: Problems): string | null {
  const scalar = isScalar(entry.value) ? entry.value.value : undefined;
  const value = typeof scalar === 'number' ? String(scalar) : textValue(entry);
  if (value === undefined || value === '' || value.trim() !== value || /["\r\n]/.test(value)) {
    problems.add(file.path, file.lineOf(entry.value, entry.line), `trailer marker must be the text the trailer line starts with, e.g. TRAILER, got ${describe(entry)}`);
    return null;
  }
  return value;
}
