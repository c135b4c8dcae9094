// One JSON object's text split into its top-level keys and each value's own text, as written (numbers keep their digits).

/** BigQuery's limit on a JSON value's nesting ("Quotas and limits": 500 levels), kept on every backend. */
export const MAX_JSON_DEPTH = 500;

export interface SplitObject {
  keys: string[];
  /** Each value's JSON text, whitespace outside strings removed: `1.5e300`, `"x"`, `{"d":[1,2]}`, `null`. */
  values: string[];
  /** The deepest nesting: 1 for an object of scalars. */
  depth: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The index just past the string that opens at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** A string's own text, from its JSON text (a slice when it has no escapes, which most have not). */
function stringText(json: string): string {
  return json.indexOf('\\') < 0 ? json.slice(1, -1) : (JSON.parse(json) as string);
}

/** Whitespace outside strings removed from a nested value's text. */
function compact(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = stringEnd(text, i) - 1;
    else if (isSpace(c)) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/** Where the value that starts at `start` ends, how deep it nests (0 for a scalar), and whether it holds whitespace. */
function valueEnd(text: string, start: number): { end: number; depth: number; spaced: boolean } {
  const first = text.charCodeAt(start);
  if (first === 0x22) return { end: stringEnd(text, start), depth: 0, spaced: false };
  if (first !== 0x7b && first !== 0x5b) {
    let i = start;
    for (let c = first; i < text.length && c !== 0x2c && c !== 0x7d && !isSpace(c); c = text.charCodeAt(++i));
    return { end: i, depth: 0, spaced: false };
  }
  let depth = 0;
  let deepest = 0;
  let spaced = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = stringEnd(text, i) - 1;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return { end: i + 1, depth: deepest, spaced };
    else if (isSpace(c)) spaced = true;
  }
  return { end: text.length, depth: deepest, spaced };
}

/**
 * Splits the text of a JSON object that `JSON.parse` has accepted. Numbers are never parsed, so
 * 12345678901234567890 and 1.5e300 keep the digits they were written with. Each value is one slice of the line.
 */
export function splitObject(text: string): SplitObject {
  const keys: string[] = [];
  const values: string[] = [];
  let deepest = 1;
  let i = skipSpace(text, text.indexOf('{') + 1);
  // JSON.parse accepted the text, so after `{` or `,` comes a key, and after the last member the closing `}`.
  while (text.charCodeAt(i) === 0x22) {
    const keyEnd = stringEnd(text, i);
    keys.push(stringText(text.slice(i, keyEnd)));
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const { end, depth, spaced } = valueEnd(text, start);
    deepest = Math.max(deepest, depth + 1);
    values.push(spaced ? compact(text.slice(start, end)) : text.slice(start, end));
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === 0x2c) i = skipSpace(text, i + 1);
  }
  return { keys, values, depth: deepest };
}

/** A value's text as a string column holds it: a string's own text, NULL for null, any other JSON as written. */
export function textOfJson(json: string | undefined): string | null {
  if (json === undefined || json === 'null') return null;
  return json.charCodeAt(0) === 0x22 ? stringText(json) : json;
}
