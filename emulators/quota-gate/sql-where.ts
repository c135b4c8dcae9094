// A query's top-level WHERE read for what block pruning needs: the columns it holds equal to one value, in every row it keeps.
import { isPunct, isWord } from './sql-tokens.js';
import type { Token } from './sql-tokens.js';

/** `column = value` as a conjunct of the WHERE: value a parameter, a string or a number token. */
export interface Equality {
  /** Lower-cased, without any table qualifier. */
  column: string;
  value: Token;
}

/** Words that end a WHERE clause at its own level. */
const AFTER_WHERE = new Set(['GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT']);

/** The top-level WHERE's tokens (outside every parenthesis), or undefined when it has none. */
function whereClause(tokens: Token[]): Token[] | undefined {
  let depth = 0;
  let from = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    else if (depth === 0 && from < 0 && isWord(t, 'WHERE')) from = i + 1;
    else if (depth === 0 && from >= 0 && t.kind === 'word' && AFTER_WHERE.has(t.text.toUpperCase())) return tokens.slice(from, i);
  }
  return from < 0 ? undefined : tokens.slice(from);
}

/**
 * The clause cut at its top-level ANDs (a BETWEEN's own AND left inside its conjunct); undefined when an OR stands at
 * the top level, where no conjunct holds for every row kept (a NOT binds tighter than AND: it stays in its conjunct).
 */
function conjuncts(clause: Token[]): Token[][] | undefined {
  const parts: Token[][] = [[]];
  let depth = 0;
  let between = false;
  for (const t of clause) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth === 0 && isWord(t, 'OR')) return undefined;
    if (depth === 0 && isWord(t, 'BETWEEN')) between = true;
    if (depth === 0 && isWord(t, 'AND') && !between) {
      parts.push([]);
      continue;
    }
    if (depth === 0 && isWord(t, 'AND')) between = false;
    parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/** A column as written: `c`, `` `c` `` or `alias.c` (its last part). */
function columnOf(tokens: Token[]): string | undefined {
  const last = tokens[tokens.length - 1];
  if (last?.kind !== 'word' && last?.kind !== 'quoted') return undefined;
  const qualified = tokens.length === 3 && isPunct(tokens[1], '.') && (tokens[0]!.kind === 'word' || tokens[0]!.kind === 'quoted');
  if (tokens.length !== 1 && !qualified) return undefined;
  return last.text.split('.').pop()!.toLowerCase();
}

const isValue = (t: Token | undefined): t is Token => t?.kind === 'param' || t?.kind === 'string' || t?.kind === 'number';

function equality(part: Token[]): Equality | undefined {
  const inner = isPunct(part[0], '(') && isPunct(part[part.length - 1], ')') ? part.slice(1, -1) : part;
  const at = inner.findIndex((t) => isPunct(t, '='));
  // `a = b` only: `<=`, `>=` and `!=` arrive as two tokens, the first of which is not `=`.
  if (at < 0 || isPunct(inner[at - 1], '<') || isPunct(inner[at - 1], '>') || isPunct(inner[at - 1], '!')) return undefined;
  const left = inner.slice(0, at);
  const right = inner.slice(at + 1);
  if (right.length === 1 && isValue(right[0])) {
    const column = columnOf(left);
    return column === undefined ? undefined : { column, value: right[0] };
  }
  if (left.length === 1 && isValue(left[0])) {
    const column = columnOf(right);
    return column === undefined ? undefined : { column, value: left[0] };
  }
  return undefined;
}

/** Every `column = value` that the statement's top-level WHERE requires of each row it keeps. */
export function whereEqualities(tokens: Token[]): Equality[] {
  const clause = whereClause(tokens);
  const parts = clause && conjuncts(clause);
  return (parts ?? []).map(equality).filter((e): e is Equality => e !== undefined);
}
