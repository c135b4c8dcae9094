// Go files: the small file that says a data file is complete and how many rows it has (properties or CSV format).
import { DEFAULT_STATUS_OK } from '../config/index.js';
import type { GoFileRule } from '../config/index.js';
import { TerminalError } from '../errors.js';
import { countInColumn, countProblem, failAt, splitCsvLine } from './count.js';

export interface ExpectedCount {
  expectedRows: number;
  /** 1-based line of the go file the count was read from. */
  line: number;
}

/** The data file a go file pairs with: its base name and its path under the landing root. */
export interface DataFileName {
  name: string;
  path: string;
}

/** A field the go file states beside the count (the file it vouches for, its producer's status), and its line. */
interface Stated {
  value: string;
  line: number;
  /** How the field is named in messages: `column 1`, `key filename`. */
  where: string;
}

/** The file's lines, BOM and CR removed (CRLF and LF files read alike). */
function linesOf(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

interface Property {
  value: string;
  line: number;
}

/** `key=value` lines; blank lines and `#` / `!` comments skipped; spaces around key and value trimmed. */
function readProperties(lines: readonly string[], key: string, fileName: string): { found?: Property; keys: string[] } {
  let found: Property | undefined;
  const keys: string[] = [];
  lines.forEach((raw, index) => {
    const text = raw.trim();
    const equals = text.indexOf('=');
    if (text === '' || text.startsWith('#') || text.startsWith('!') || equals < 0) return;
    const name = text.slice(0, equals).trim();
    const value = text.slice(equals + 1).trim();
    keys.push(name);
    if (name !== key) return;
    if (found !== undefined && found.value !== value) {
      throw failAt(fileName, index + 1, `${key} is given twice, ${JSON.stringify(found.value)} (line ${found.line}) and ${JSON.stringify(value)}`);
    }
    found ??= { value, line: index + 1 };
  });
  return found === undefined ? { keys } : { found, keys };
}

function propertyOf(lines: readonly string[], key: string | undefined, fileName: string): Stated | undefined {
  if (key === undefined) return undefined;
  const { found } = readProperties(lines, key, fileName);
  if (found === undefined) throw failAt(fileName, 1, `no ${key}=… line, which the mapping reads`);
  return { ...found, where: `key ${key}` };
}

function parseProperties(lines: readonly string[], key: string, fileName: string): ExpectedCount {
  const { found, keys } = readProperties(lines, key, fileName);
  if (found === undefined) {
    const seen = keys.length === 0 ? 'no key=value lines at all' : `keys found: ${[...new Set(keys)].join(', ')}`;
    const last = lines.findLastIndex((line) => line.trim() !== '') + 1;
    throw new TerminalError(`${fileName} lines 1-${last}: no ${key}=… line (${seen})`, { file: fileName, line: 1 });
  }
  const result = countProblem(found.value);
  if ('problem' in result) throw failAt(fileName, found.line, `${key} ${JSON.stringify(found.value)} ${result.problem}`);
  return { expectedRows: result.count, line: found.line };
}

/** The one CSV line, e.g. `trades_20240115.csv,12345,SUCCESS` (blank lines around it are ignored), as fields. */
function csvLine(lines: readonly string[], fileName: string): { fields: string[]; line: number } {
  const content = lines.map((text, index) => ({ text, line: index + 1 })).filter((l) => l.text.trim() !== '');
  const first = content[0];
  if (first === undefined) throw failAt(fileName, 1, 'the go file is empty');
  const second = content[1];
  if (second !== undefined) throw failAt(fileName, second.line, `a csv go file has one line, but line ${first.line} is followed by another`);
  return { fields: splitCsvLine(first.text, ',', fileName, first.line), line: first.line };
}

function columnOf(csv: { fields: string[]; line: number }, column: number | undefined, fileName: string): Stated | undefined {
  if (column === undefined) return undefined;
  const value = csv.fields[column - 1];
  if (value === undefined) throw failAt(fileName, csv.line, `column ${column} is past the end of the line, which has ${csv.fields.length} column(s)`);
  return { value: value.trim(), line: csv.line, where: `column ${column}` };
}

/** The name field must be the data file's base name or its path under the landing root. */
function checkName(stated: Stated | undefined, data: DataFileName, fileName: string): void {
  if (stated === undefined || stated.value === data.name || stated.value === data.path) return;
  throw failAt(fileName, stated.line, `${stated.where} names ${JSON.stringify(stated.value)}, not this data file (${data.path}): the go file vouches for another file`);
}

function checkStatus(stated: Stated | undefined, ok: readonly string[], fileName: string): void {
  if (stated === undefined || ok.includes(stated.value)) return;
  const wanted = ok.length === 1 ? ok[0] : `one of ${ok.join(', ')}`;
  throw failAt(fileName, stated.line, `${stated.where} is ${JSON.stringify(stated.value)}, not ${wanted}: its producer did not mark the file complete`);
}

/**
 * The expected row count a go file states, and the line it is on, after checking what else the mapping reads: the
 * file it names must be `data`, its status one of `status_ok`. Any problem is a TerminalError naming file and line.
 */
export function parseGoFile(text: string, rule: GoFileRule, fileName: string, data: DataFileName): ExpectedCount {
  const lines = linesOf(text);
  if (lines.every((line) => line.trim() === '')) throw failAt(fileName, 1, 'the go file is empty');
  const ok = rule.statusOk ?? DEFAULT_STATUS_OK;
  if (rule.format === 'properties') {
    checkName(propertyOf(lines, rule.nameKey, fileName), data, fileName);
    checkStatus(propertyOf(lines, rule.statusKey, fileName), ok, fileName);
    return parseProperties(lines, rule.rowCountKey, fileName);
  }
  const csv = csvLine(lines, fileName);
  checkName(columnOf(csv, rule.nameColumn, fileName), data, fileName);
  checkStatus(columnOf(csv, rule.statusColumn, fileName), ok, fileName);
  return { expectedRows: countInColumn(csv.fields, rule.rowCountColumn, `column ${rule.rowCountColumn}`, fileName, csv.line), line: csv.line };
}
