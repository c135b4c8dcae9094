// The reference reader: csv-parse configured by landfall's CSV rules (docs/spec.md), plus the rules it has no option for, written out here.
import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import type { CsvCase } from './csv-cases.js';

export type Expected = { status: 'loaded'; rows: string[][] } | { status: 'failed'; file: string; line: number };

export interface CaseNames {
  data: string;
  go?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const RESERVED = ['_extra', '_load_id'];

const linesBefore = (bytes: Buffer, end: number) => bytes.subarray(0, end).filter((b) => b === LF).length;

interface Parsed {
  record: string[];
  /** Where the record ends: the offset just past its line end. */
  bytes: number;
}

/**
 * csv-parse with the rules it has options for: LF or CRLF records, `""` escapes, blank lines skipped, quotes inside
 * unquoted values kept. The records before a quote that never closes are kept, and `complete` says whether it read on.
 */
function csvParse(bytes: Buffer, delimiter: string, options: { to?: number } = {}): { records: Parsed[]; complete: boolean } {
  const records: Parsed[] = [];
  try {
    parse(bytes, {
      delimiter,
      quote: '"',
      escape: '"',
      record_delimiter: ['\r\n', '\n'],
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      ...options,
      on_record: (record: string[], context: { bytes: number }) => {
        records.push({ record, bytes: context.bytes });
        return record;
      },
    });
    return { records, complete: true };
  } catch {
    return { records, complete: false };
  }
}

/**
 * The rules csv-parse cannot be told, checked on one record's bytes from `start`: after a closing quote only a
 * delimiter or a line end; no CR outside quotes but in CRLF (or ending the file); no NUL; each value valid UTF-8 (judged
 * when the value ends); a quote must close. Returns the physical line of the first broken rule (a NUL or lone CR: its
 * own line; anything else: the record's), or where the record ends.
 */
function recordProblem(bytes: Buffer, start: number, delimiter: Buffer): { line: number } | { end: number; fields: number } {
  const recordLine = linesBefore(bytes, start) + 1;
  let line = recordLine;
  let fieldStart = start;
  let fields = 0;
  const endField = (at: number) => {
    fields++;
    if (!isUtf8(bytes.subarray(fieldStart, at))) return { line: recordLine };
    return undefined;
  };
  let i = start;
  while (true) {
    if (bytes[i] === QUOTE) {
      // A quoted value: to its closing quote, then a delimiter, a line end or the end of the file.
      for (i++; ; i++) {
        if (i >= bytes.length) return { line: recordLine };
        if (bytes[i] === 0) return { line };
        if (bytes[i] === LF) line++;
        if (bytes[i] === QUOTE && bytes[i + 1] === QUOTE) i++;
        else if (bytes[i] === QUOTE) break;
      }
      i++;
      const next = bytes[i];
      if (next === 0 || (next === CR && bytes[i + 1] !== LF && i + 1 < bytes.length)) return { line };
      const ok = i >= bytes.length || next === LF || next === CR || bytes.subarray(i, i + delimiter.length).equals(delimiter);
      if (!ok) return { line: recordLine };
    }
    for (; i < bytes.length && bytes[i] !== LF && !bytes.subarray(i, i + delimiter.length).equals(delimiter); i++) {
      if (bytes[i] === 0) return { line };
      if (bytes[i] === CR && bytes[i + 1] === LF) break;
      if (bytes[i] === CR && i + 1 < bytes.length) return { line };
      if (bytes[i] === CR) break;
    }
    const problem = endField(i);
    if (problem) return problem;
    if (i < bytes.length && bytes.subarray(i, i + delimiter.length).equals(delimiter)) {
      i += delimiter.length;
      fieldStart = i;
      continue;
    }
    while (i < bytes.length && bytes[i] !== LF) i++;
    return { end: Math.min(i + 1, bytes.length), fields };
  }
}

/** A CR that ends the file ends its last line (recordProblem knows; csv-parse is given the bytes without it). */
const endingCrDropped = (bytes: Buffer) => (bytes.at(-1) === CR ? bytes.subarray(0, -1) : bytes);

function headerProblem(names: string[]): boolean {
  const folded = names.map((n) => n.trim().toLowerCase());
  return (
    names.length > 10_000 ||
    names.some((n) => n.trim() === '' || /[\u0000-\u001f\u007f]/.test(n) || [...n.trim()].length > 300) ||
    folded.some((n) => RESERVED.includes(n)) ||
    new Set(folded).size < folded.length
  );
}

/** The trailer: the last line with more than spaces, tabs and CRs; its count in column 2, its marker in column 1. */
function trailer(body: Buffer, c: CsvCase, file: string): { failed: Expected } | { rows: number; line: number; start: number } {
  const lines: { start: number; end: number }[] = [];
  for (let s = 0; s <= body.length; ) {
    const nl = body.indexOf(LF, s);
    const e = nl < 0 ? body.length : nl;
    lines.push({ start: s, end: e });
    if (nl < 0) break;
    s = nl + 1;
  }
  const index = lines.findLastIndex((l) => /[^ \t\r]/.test(body.subarray(l.start, l.end).toString('latin1')));
  if (index <= 0) return { failed: { status: 'failed', file, line: 1 } };
  const line = index + 1;
  const fail = { failed: { status: 'failed', file, line } as Expected };
  const text = body.subarray(lines[index]!.start, lines[index]!.end).toString('utf8').replace(/\r$/, '');
  if (text.includes('\u0000')) return fail;
  let fields: string[];
  try {
    const records = parse(text, { delimiter: c.delimiter, relax_column_count: true, bom: true }) as string[][];
    if (records.length > 1) return fail;
    fields = records[0] ?? [];
  } catch {
    return fail;
  }
  if (c.trailer?.marker !== undefined && (fields[0]?.trim() ?? '') !== c.trailer.marker) return fail;
  const count = fields[1]?.trim() ?? '';
  return /^[0-9]+$/.test(count) ? { rows: Number(count), line, start: lines[index]!.start } : fail;
}

/** What a go file states: the count, or its failure (a seed-layout go file names its data file and says SUCCESS). */
function goCount(c: CsvCase, names: CaseNames): { failed: Expected } | { rows: number; line: number } {
  const go = c.goFile!;
  const fail = { failed: { status: 'failed', file: names.go!, line: 1 } as Expected };
  if (go.format === 'csv' && (go.name !== 'self' || go.status !== 'SUCCESS')) return fail;
  return /^[0-9]+$/.test(go.count) ? { rows: Number(go.count), line: 1 } : fail;
}

/** The outcome landfall's rules give `c`: its rows, or the file and line it fails at. */
export function expectedOutcome(c: CsvCase, names: CaseNames): Expected {
  const failed = (file: string, line: number): Expected => ({ status: 'failed', file, line });
  if (c.content.length === 0) return failed(names.data, 1);
  const bom = c.content.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  const body = c.content.subarray(bom ? 3 : 0);
  const delimiter = Buffer.from(c.delimiter);
  // The first line is the header, blank or not.
  const head = recordProblem(body, 0, delimiter);
  if ('line' in head) return failed(names.data, head.line);
  const header = body[0] === LF || (body[0] === CR && body[1] === LF) ? [''] : (csvParse(endingCrDropped(body), c.delimiter, { to: 1 }).records[0]?.record ?? ['']);
  if (headerProblem(header)) return failed(names.data, 1);
  let expected: { rows: number; file: string; line: number } | undefined;
  let data = body;
  if (c.goFile) {
    const go = goCount(c, names);
    if ('failed' in go) return go.failed;
    expected = { rows: go.rows, file: names.go!, line: go.line };
  } else if (c.trailer) {
    const t = trailer(body, c, names.data);
    if ('failed' in t) return t.failed;
    expected = { rows: t.rows, file: names.data, line: t.line };
    data = body.subarray(0, t.start);
  }
  const rows: string[][] = [];
  const parsed = csvParse(endingCrDropped(data), c.delimiter);
  let at = head.end;
  for (const { record, bytes } of parsed.records.slice(1)) {
    while (data[at] === LF || (data[at] === CR && data[at + 1] === LF)) at += data[at] === LF ? 1 : 2;
    const problem = recordProblem(data, at, delimiter);
    if ('line' in problem) return failed(names.data, problem.line);
    if (record.length !== header.length) return failed(names.data, linesBefore(data, at) + 1);
    rows.push(record);
    at = bytes;
  }
  if (!parsed.complete) {
    // csv-parse stopped at a quote that never closes: the rules name the first problem from the last good record on.
    while (data[at] === LF || (data[at] === CR && data[at + 1] === LF)) at += data[at] === LF ? 1 : 2;
    const problem = recordProblem(data, at, delimiter);
    return failed(names.data, 'line' in problem ? problem.line : linesBefore(data, at) + 1);
  }
  if (expected !== undefined && expected.rows !== rows.length) return failed(expected.file, expected.line);
  return { status: 'loaded', rows };
}
