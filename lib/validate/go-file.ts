// Go files: the small file that says a data file is complete and how many rows it has (properties or CSV format).
import type { GoFileRule } from '../config/index.js';
import { TerminalError } from '../errors.js';
import { countInColumn, countProblem, failAt, splitCsvLine } from './count.js';

export interface ExpectedCount {
  expectedRows: number;
  /** 1-based line of the go file the count was read from. */
  line: number;
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

/** One CSV line, e.g. `trades_20240115.csv,12345,SUCCESS`; blank lines around it are ignored. */
function parseCsvGoFile(lines: readonly string[], column: number, fileName: string): ExpectedCount {
  const content = lines.map((text, index) => ({ text, line: index + 1 })).filter((l) => l.text.trim() !== '');
  const first = content[0];
  if (first === undefined) throw failAt(fileName, 1, 'the go file is empty');
  const second = content[1];
  if (second !== undefined) throw failAt(fileName, second.line, `a csv go file has one line, but line ${first.line} is followed by another`);
  const fields = splitCsvLine(first.text, ',', fileName, first.line);
  return { expectedRows: countInColumn(fields, column, `column ${column}`, fileName, first.line), line: first.line };
}

/** The expected row count a go file states, and the line it is on; a TerminalError naming file and line otherwise. */
export function parseGoFile(text: string, rule: GoFileRule, fileName: string): ExpectedCount {
  const lines = linesOf(text);
  if (lines.every((line) => line.trim() === '')) throw failAt(fileName, 1, 'the go file is empty');
  return rule.format === 'properties'
    ? parseProperties(lines, rule.rowCountKey, fileName)
    : parseCsvGoFile(lines, rule.rowCountColumn, fileName);
}
