// The rules a single pattern or table name must follow, as messages a person can act on.
import { dataPatterns, overlapWitness } from '../match/index.js';

/** A warehouse identifier both DuckDB and BigQuery accept without surprises. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,1023}$/;
/** Tables landfall itself writes; a mapping may not load files into them. */
export const RESERVED_TABLES = ['load_metadata'] as const;

/** Reports what is wrong with a file-name pattern; true when it is usable. */
export function checkPattern(pattern: string, what: string, report: (message: string) => void): boolean {
  const stars = pattern.split('*').length - 1;
  if (stars !== 1) {
    report(`${what} "${pattern}" must have exactly one * (it stands for the batch key), found ${stars}`);
    return false;
  }
  if (pattern.includes('/')) {
    report(`${what} "${pattern}" must be a file name without "/": files are matched by their base name`);
    return false;
  }
  return true;
}

/** What stops a go-file pattern from pairing with its data pattern through the shared batch key. */
export function goPatternProblems(goPattern: string, dataPattern: string, dataPatternOk: boolean): string[] {
  const problems: string[] = [];
  if (!checkPattern(goPattern, 'go_file pattern', (m) => problems.push(m))) return problems;
  if (goPattern === dataPattern) {
    problems.push(`go_file pattern "${goPattern}" must differ from the data pattern, or a go file could not be told from its data file`);
    return problems;
  }
  if (!dataPatternOk) return problems;
  for (const data of dataPatterns({ pattern: dataPattern })) {
    const witness = overlapWitness(goPattern, data);
    if (witness !== undefined) {
      problems.push(`go_file pattern "${goPattern}" overlaps the data pattern "${data}": "${witness}" would be both`);
      break;
    }
  }
  return problems;
}

/** Why `table` can't be a table name, or undefined when it can. */
export function tableNameProblem(table: string): string | undefined {
  if (!TABLE_NAME.test(table)) {
    return `table "${table}" is not a safe warehouse name: use letters, digits and _, not starting with a digit (at most 1024)`;
  }
  if ((RESERVED_TABLES as readonly string[]).includes(table.toLowerCase())) {
    return `table "${table}" is reserved: landfall records its loads there`;
  }
  return undefined;
}
