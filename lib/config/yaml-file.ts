// Reading a config YAML file as a node tree whose every node knows its line, and collecting problems with file:line.
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { ConfigProblem } from '../errors.js';

/** A parsed config file: its root node and a way to turn any node into a 1-based line number. */
export interface YamlFile {
  path: string;
  root: Node | null;
  lineOf(node: Node | Pair | null | undefined, fallback?: number): number;
}

/** One `key: value` of a YAML map, with the line of its key. */
export interface Entry {
  key: string;
  value: Node | null;
  line: number;
}

/** Collects every problem so they can be reported at once. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  add(file: string, line: number, message: string): void {
    this.list.push({ file, line, message });
  }
}

/** The yaml package's messages end with ` at line N, column M:` and a code excerpt; we say file:line ourselves. */
function shortMessage(message: string): string {
  const first = message.split('\n', 1)[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses one file; YAML errors become problems and the file yields undefined (its content can't be trusted). */
export function readYamlFile(path: string, text: string, problems: Problems): YamlFile | undefined {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.add(path, error.linePos?.[0].line ?? 1, `invalid YAML: ${shortMessage(error.message)}`);
    }
    return undefined;
  }
  const lineOf = (node: Node | Pair | null | undefined, fallback = 1): number => {
    const target = node && 'range' in node ? node : node && 'key' in node ? (node.key as Node | null) : undefined;
    const offset = target?.range?.[0];
    return offset === undefined ? fallback : lineCounter.linePos(offset).line;
  };
  return { path, root: doc.contents as Node | null, lineOf };
}

/**
 * The entries of a YAML map; keys outside `allowed` (when given) and non-text keys are problems.
 * `where` names the map in messages, e.g. `go_file`.
 */
export function entriesOf(
  file: YamlFile,
  map: YAMLMap,
  problems: Problems,
  allowed?: readonly string[],
  where?: string,
): Entry[] {
  const entries: Entry[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const line = file.lineOf(keyNode, file.lineOf(pair.value as Node | null));
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      problems.add(file.path, line, `a key must be plain text${where ? ` in ${where}` : ''}`);
      continue;
    }
    const key = String(keyNode.value);
    if (allowed !== undefined && !allowed.includes(key)) {
      problems.add(file.path, line, `unknown key "${key}"${where ? ` in ${where}` : ''} (allowed: ${allowed.join(', ')})`);
      continue;
    }
    entries.push({ key, value: pair.value as Node | null, line });
  }
  return entries;
}

/** The entry's value when it is a YAML map. */
export function mapValue(entry: Entry): YAMLMap | undefined {
  return isMap(entry.value) ? entry.value : undefined;
}

/** The entry's value when it is a text scalar. */
export function textValue(entry: Entry): string | undefined {
  return isScalar(entry.value) && typeof entry.value.value === 'string' ? entry.value.value : undefined;
}

/** The entry's value when it is a whole-number scalar. */
export function integerValue(entry: Entry): number | undefined {
  return isScalar(entry.value) && Number.isSafeInteger(entry.value.value) ? (entry.value.value as number) : undefined;
}

/** How a value reads in a message: its source text when it has one. */
export function describe(entry: Entry): string {
  if (entry.value === null || (isScalar(entry.value) && entry.value.value === null)) return 'nothing';
  if (isScalar(entry.value)) return JSON.stringify(entry.value.value);
  if (isMap(entry.value)) return 'a mapping';
  return isSeq(entry.value) ? 'a list' : 'an alias';
}

/** A 1-based column number; `what` names it in the message, e.g. `trailer row_count_column`. */
export function readColumn(file: YamlFile, entry: Entry, what: string, problems: Problems): number | undefined {
  const value = integerValue(entry);
  if (value === undefined || value < 1) {
    problems.add(
      file.path,
      file.lineOf(entry.value, entry.line),
      `${what} must be a whole number of at least 1 (columns count from 1), got ${describe(entry)}`,
    );
    return undefined;
  }
  return value;
}
