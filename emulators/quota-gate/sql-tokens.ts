// GoogleSQL read as tokens and split into statements: enough to find each statement's kind, tables and column names.

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'punct';

export interface Token {
  kind: TokenKind;
  /** A word as written; a quoted identifier without its backticks; a string literal's raw text. */
  text: string;
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const PARAM = /@@?[A-Za-z_][A-Za-z0-9_]*/y;
const STRING_PREFIX = /(?:[rR][bB]?|[bB][rR]?)?(?='|")/y;

function sticky(re: RegExp, sql: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(sql)?.[0];
}

/** The end (exclusive) of a quoted run starting at `at` (after any r/b prefix): ', ", ''', """ or `. */
function quotedEnd(sql: string, at: number, raw: boolean): number {
  const quote = sql[at]!;
  const triple = quote !== '`' && sql.startsWith(quote.repeat(3), at);
  const close = triple ? quote.repeat(3) : quote;
  for (let i = at + close.length; i < sql.length; i++) {
    if (sql[i] === '\\' && !raw) {
      i++;
      continue;
    }
    if (sql.startsWith(close, i)) return i + close.length;
  }
  return sql.length;
}

function unescapeIdentifier(body: string): string {
  return body.replace(/\\(.)/g, '$1');
}

/** Tokens of `sql`, comments and whitespace left out. Never throws: an unterminated quote runs to the end. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '`') {
      const end = quotedEnd(sql, i, false);
      tokens.push({ kind: 'quoted', text: unescapeIdentifier(sql.slice(i + 1, end - 1)) });
      i = end;
    } else if (sticky(STRING_PREFIX, sql, i) !== undefined) {
      const prefix = sticky(STRING_PREFIX, sql, i)!;
      const end = quotedEnd(sql, i + prefix.length, /r/i.test(prefix));
      tokens.push({ kind: 'string', text: sql.slice(i, end) });
      i = end;
    } else if (sticky(WORD, sql, i) !== undefined) {
      const word = sticky(WORD, sql, i)!;
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    } else if (sticky(NUMBER, sql, i) !== undefined) {
      const number = sticky(NUMBER, sql, i)!;
      tokens.push({ kind: 'number', text: number });
      i += number.length;
    } else if (sticky(PARAM, sql, i) !== undefined) {
      const param = sticky(PARAM, sql, i)!;
      tokens.push({ kind: 'param', text: param });
      i += param.length;
    } else {
      tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return tokens;
}

/** The statements of a script, as token lists, split at top-level `;` (empty ones left out). */
export function splitStatements(sql: string): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind === 'punct' && token.text === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'word' && words.includes(token.text.toUpperCase());
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}
