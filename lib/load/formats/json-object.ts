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

/**
 * Splits the text of a JSON object that `JSON.parse` has accepted. Numbers are never parsed, so
 * 12345678901234567890 and 1.5e300 keep the digits they were written with.
 */
export function splitObject(text: string): SplitObject {
  const keys: string[] = [];
  const values: string[] = [];
  let depth = 0;
  let deepest = 0;
  let key: string | undefined;
  let value = '';
  let i = text.indexOf('{') + 1;
  depth = deepest = 1;
  while (i < text.length && depth > 0) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (depth === 1 && key === undefined) {
      if (c === 0x22) {
        const end = stringEnd(text, i);
        key = JSON.parse(text.slice(i, end)) as string;
        i = end;
      } else {
        if (c === 0x7d) depth--;
        i++; // `,` between members, or the closing `}`
      }
      continue;
    }
    if (depth === 1 && c === 0x3a && value === '') {
      i++;
      continue;
    }
    if (c === 0x22) {
      const end = stringEnd(text, i);
      value += text.slice(i, end);
      i = end;
    } else {
      if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
      if (c === 0x7d || c === 0x5d) depth--;
      if (depth === 0 || (depth === 1 && c === 0x2c)) {
        keys.push(key!);
        values.push(value);
        key = undefined;
        value = '';
      } else {
        value += text[i];
      }
      i++;
    }
  }
  return { keys, values, depth: deepest };
}

/** A value's text as a string column holds it: a string's own text, NULL for null, any other JSON as written. */
export function textOfJson(json: string | undefined): string | null {
  if (json === undefined || json === 'null') return null;
  return json.charCodeAt(0) === 0x22 ? (JSON.parse(json) as string) : json;
}
