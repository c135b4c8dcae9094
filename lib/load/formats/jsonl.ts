// JSON lines, read by landfall itself: one object per line, blank lines skipped, a bad line named by its number.
import { TerminalError } from '../../errors.js';
import { MAX_LINE_BYTES } from '../limits.js';
import { gzipError, openPlainStream } from '../plain-stream.js';
import type { FileSource } from '../source.js';
import { MAX_JSON_DEPTH, splitObject } from './json-object.js';

export interface JsonLine {
  /** The physical line, 1-based. */
  line: number;
  keys: string[];
  /** Each key's value as JSON text (see splitObject). */
  values: string[];
}

interface Where {
  file: string;
  table?: string;
}

function fail(where: Where, line: number, what: string): never {
  throw new TerminalError(`${where.file} line ${line}: ${what}`, { ...where, line });
}

const KIND = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/** One line's object, checked: valid JSON, an object, no key twice, nested no deeper than a warehouse keeps. */
export function readJsonLine(text: string, line: number, where: Where): JsonLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(where, line, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail(where, line, `not a JSON object but ${KIND(parsed)}: each line must hold one object`);
  const { keys, values, depth } = splitObject(text);
  if (depth > MAX_JSON_DEPTH) fail(where, line, `a value is nested deeper than ${MAX_JSON_DEPTH} levels (${depth}), more than a warehouse JSON value may have`);
  if (keys.length !== Object.keys(parsed).length) {
    const seen = new Set<string>();
    const twice = keys.find((k) => seen.size === seen.add(k).size);
    fail(where, line, `the key ${JSON.stringify(twice)} appears twice in one object`);
  }
  return { line, keys, values };
}

/**
 * The non-blank lines of a byte stream as text: UTF-8, LF or CRLF, none over MAX_LINE_BYTES. A BOM that starts a line
 * is dropped, not only the file's first (files joined with `cat` each bring one): each line is a JSON text, and
 * RFC 8259 lets a parser ignore a BOM before one.
 */
async function* textLines(chunks: AsyncIterable<Buffer>, where: Where): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const decode = (bytes: Buffer) => {
    try {
      return decoder.decode(bytes);
    } catch {
      return fail(where, line, 'the bytes are not valid UTF-8 (files must be UTF-8 encoded)');
    }
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      line++;
      const bytes = pendingBytes === 0 ? chunk.subarray(start, nl) : Buffer.concat([...pending, chunk.subarray(start, nl)]);
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      if (bytes.length > MAX_LINE_BYTES) fail(where, line, `the line is longer than ${MAX_LINE_BYTES} bytes`);
      const text = decode(bytes);
      if (text.trim() !== '') yield { line, text };
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) fail(where, line + 1, `the line is longer than ${MAX_LINE_BYTES} bytes`);
    }
  }
  line++;
  const text = decode(Buffer.concat(pending));
  if (text.trim() !== '') yield { line, text };
}

/**
 * The objects of a JSON-lines source (gunzipped for `.gz`), each checked; the first bad line fails the file. A file
 * this load has read through once already (`checked`, the same bytes) is only split, not parsed again.
 */
export async function* jsonLines(source: FileSource, compressed: boolean, table?: string, checked = false): AsyncGenerator<JsonLine> {
  const where = { file: source.name, ...(table === undefined ? {} : { table }) };
  const plain = await openPlainStream(source, compressed);
  try {
    for await (const { line, text } of textLines(plain, where)) yield checked ? { line, ...splitObject(text) } : readJsonLine(text, line, where);
  } catch (error) {
    throw gzipError(error, source.name);
  } finally {
    plain.destroy();
  }
}

export interface JsonLinesShape {
  /** Every key of every object, in the order first seen. */
  keys: string[];
  /** The line each key was first seen on. */
  firstLines: number[];
  records: number;
}

/** Reads the whole file once for its keys: the columns a new table gets, or that meet an old one's. */
export async function describeJsonLines(source: FileSource, compressed: boolean): Promise<JsonLinesShape> {
  const first = new Map<string, number>();
  let records = 0;
  for await (const object of jsonLines(source, compressed)) {
    records++;
    for (const key of object.keys) if (!first.has(key)) first.set(key, object.line);
  }
  if (records === 0) throw new TerminalError(`${source.name} line 1: the file holds no JSON object (it is empty or blank)`, { file: source.name, line: 1 });
  return { keys: [...first.keys()], firstLines: [...first.values()], records };
}
