// What one GoogleSQL statement does, for quotas and the bill: its kind, the table it writes, the tables and columns it reads.
import { isPunct, isWord, splitStatements } from './sql-tokens.js';
import type { Token } from './sql-tokens.js';
import { whereEqualities } from './sql-where.js';
import type { Equality } from './sql-where.js';

export const DML_KINDS = ['insert', 'update', 'delete', 'merge', 'truncate'] as const;
export type DmlKind = (typeof DML_KINDS)[number];

/** A table as written: one, two or three parts. */
export interface TableName {
  parts: string[];
}

export interface Statement {
  /** `insert` … `truncate` for DML; `select`, `ddl`, `transaction` (BEGIN/COMMIT/ROLLBACK) or `other` otherwise. */
  kind: DmlKind | 'select' | 'ddl' | 'transaction' | 'other';
  /** The table a DML or DDL statement writes. */
  target?: TableName;
  /** Tables read: after FROM, JOIN and USING (subqueries and UNNEST left out). */
  reads: TableName[];
  /** Every identifier in the statement, lower-cased: the columns it may read are among these. */
  identifiers: Set<string>;
  /** `SELECT *` or `t.*` somewhere: every column of the tables it reads. */
  selectsAll: boolean;
  /** UPDATE, DELETE, TRUNCATE, or MERGE with an UPDATE or DELETE clause: BigQuery bills the whole target table too. */
  rewritesTarget: boolean;
  /** WITH names, which are not tables. */
  cteNames: Set<string>;
  /** A SELECT's `column = value` conjuncts of its top-level WHERE: what block pruning can use. */
  equalities: Equality[];
}

/** Words that end a table reference's alias position (a table name followed by one of these has no alias). */
const CLAUSE_WORDS = new Set([
  'WHERE', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'ON', 'USING', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'WINDOW',
  'UNION', 'INTERSECT', 'EXCEPT', 'QUALIFY', 'SET', 'WHEN', 'FOR', 'TABLESAMPLE', 'SELECT', 'VALUES', 'AS', 'OPTIONS',
]);

/** A table path at `at`: words or backquoted parts joined by `.`; a backquoted part may itself hold dots. */
function readPath(tokens: Token[], at: number): { name: TableName; next: number } | undefined {
  const parts: string[] = [];
  let i = at;
  for (;;) {
    const token = tokens[i];
    if (token?.kind !== 'word' && token?.kind !== 'quoted') break;
    let text = token.text;
    i++;
    // An unquoted project id may hold dashes (`my-project.dataset.table`): BigQuery reads it in FROM.
    while (token.kind === 'word' && isPunct(tokens[i], '-') && (tokens[i + 1]?.kind === 'word' || tokens[i + 1]?.kind === 'number')) {
      text += `-${tokens[i + 1]!.text}`;
      i += 2;
    }
    parts.push(...(token.kind === 'quoted' ? text.split('.') : [text]));
    if (!isPunct(tokens[i], '.')) break;
    i++;
  }
  return parts.length === 0 ? undefined : { name: { parts }, next: i };
}

/** Skips `[AS] alias` after a table. */
function skipAlias(tokens: Token[], at: number): number {
  if (isWord(tokens[at], 'AS')) return at + 2;
  const token = tokens[at];
  if ((token?.kind === 'word' && !CLAUSE_WORDS.has(token.text.toUpperCase())) || token?.kind === 'quoted') return at + 1;
  return at;
}

/** Tables after FROM / JOIN / USING, and after the commas of a comma join. */
function readTables(tokens: Token[], from: number): TableName[] {
  const reads: TableName[] = [];
  for (let i = from; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'FROM', 'JOIN', 'USING')) continue;
    let at = i + 1;
    for (;;) {
      if (isPunct(tokens[at], '(') || isWord(tokens[at], 'UNNEST')) break;
      const path = readPath(tokens, at);
      if (!path) break;
      reads.push(path.name);
      at = skipAlias(tokens, path.next);
      if (!isPunct(tokens[at], ',')) break;
      at++;
    }
  }
  return reads;
}

function cteNames(tokens: Token[]): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i + 2 < tokens.length; i++) {
    const named = tokens[i]!.kind === 'word' || tokens[i]!.kind === 'quoted';
    if (named && isWord(tokens[i + 1], 'AS') && isPunct(tokens[i + 2], '(') && (isWord(tokens[i - 1], 'WITH', 'RECURSIVE') || isPunct(tokens[i - 1], ','))) {
      names.add(tokens[i]!.text.toLowerCase());
    }
  }
  return names;
}

/** `*` as a select list item (`SELECT *`, `, *`, `t.*`), not multiplication and not COUNT(*). */
function selectsAll(tokens: Token[]): boolean {
  return tokens.some((t, i) => isPunct(t, '*') && (isWord(tokens[i - 1], 'SELECT', 'DISTINCT', 'ALL', 'STRUCT') || isPunct(tokens[i - 1], ',') || isPunct(tokens[i - 1], '.')));
}

/** Skips words such as INTO, TABLE, OR REPLACE, TEMP, IF NOT EXISTS before a target table. */
function skipWords(tokens: Token[], at: number, words: string[]): number {
  while (isWord(tokens[at], ...words)) at++;
  return at;
}

interface Head {
  kind: Statement['kind'];
  target?: TableName;
  /** Where the statement's reads start (a DELETE's own FROM names its target, not a read). */
  readsFrom: number;
}

function head(tokens: Token[]): Head {
  // A procedural block's first statement arrives as `BEGIN <statement>` once split at semicolons, a handler's as
  // `EXCEPTION WHEN ERROR THEN <statement>`.
  let start = isWord(tokens[0], 'BEGIN') && tokens.length > 1 && !isWord(tokens[1], 'TRANSACTION') ? 1 : 0;
  if (isWord(tokens[0], 'EXCEPTION') && isWord(tokens[1], 'WHEN') && isWord(tokens[3], 'THEN')) start = 4;
  const first = tokens[start]?.text.toUpperCase() ?? '';
  const targetAt = (skip: string[]) => readPath(tokens, skipWords(tokens, start + 1, skip));
  switch (first) {
    case 'INSERT': {
      const path = targetAt(['INTO']);
      return { kind: 'insert', ...(path ? { target: path.name } : {}), readsFrom: path?.next ?? start };
    }
    case 'UPDATE':
    case 'DELETE':
    case 'MERGE':
    case 'TRUNCATE': {
      const path = targetAt(['FROM', 'INTO', 'TABLE']);
      return { kind: first.toLowerCase() as DmlKind, ...(path ? { target: path.name } : {}), readsFrom: path?.next ?? start };
    }
    case 'CREATE':
    case 'DROP':
    case 'ALTER': {
      const path = targetAt(['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'TABLE', 'VIEW', 'MATERIALIZED', 'IF', 'NOT', 'EXISTS', 'EXTERNAL', 'SNAPSHOT']);
      return { kind: 'ddl', ...(path ? { target: path.name } : {}), readsFrom: path?.next ?? start };
    }
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
      return { kind: 'transaction', readsFrom: tokens.length };
    case 'SELECT':
    case 'WITH':
    case '(':
      return { kind: 'select', readsFrom: start };
    default:
      return { kind: 'other', readsFrom: start };
  }
}

export function analyzeStatement(tokens: Token[]): Statement {
  const { kind, target, readsFrom } = head(tokens);
  const identifiers = new Set<string>();
  for (const t of tokens) {
    if (t.kind === 'word') identifiers.add(t.text.toLowerCase());
    if (t.kind === 'quoted') for (const part of t.text.split('.')) identifiers.add(part.toLowerCase());
  }
  const merges = kind === 'merge' && tokens.some((t, i) => isWord(t, 'THEN') && isWord(tokens[i + 1], 'UPDATE', 'DELETE'));
  return {
    kind,
    ...(target ? { target } : {}),
    reads: readTables(tokens, readsFrom),
    identifiers,
    selectsAll: selectsAll(tokens),
    rewritesTarget: kind === 'update' || kind === 'delete' || kind === 'truncate' || merges,
    cteNames: cteNames(tokens),
    equalities: kind === 'select' ? whereEqualities(tokens) : [],
  };
}

/** A procedural block's closing words (END, END IF …): no statement of their own, so no child job. */
function isBlockEnd(tokens: Token[]): boolean {
  return isWord(tokens[0], 'END') || (tokens.length === 1 && isWord(tokens[0], 'BEGIN'));
}

/** The statements of a query or script, in order. */
export function analyzeScript(sql: string): Statement[] {
  return splitStatements(sql).filter((s) => !isBlockEnd(s)).map(analyzeStatement);
}

export function isDml(kind: Statement['kind']): kind is DmlKind {
  return (DML_KINDS as readonly string[]).includes(kind);
}
