// Test helpers for config parsing: the problems a ConfigError lists, as `file:line: message` strings.
import assert from 'node:assert/strict';
import { parseTableMappings } from '../../../lib/config/index.js';
import type { TableMapping } from '../../../lib/config/index.js';
import { ConfigError } from '../../../lib/errors.js';

/** Table mapping files by path, parsed together. */
export const parseMappings = (files: Record<string, string>): TableMapping[] =>
  parseTableMappings(Object.entries(files).map(([path, text]) => ({ path, text })));

/** The problems of parsing those files together. */
export const mappingProblems = (files: Record<string, string>): string[] => problemsOf(() => parseMappings(files));

export function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  }
  return assert.fail('expected a ConfigError');
}

export async function problemsOfAsync(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  }
  return assert.fail('expected a ConfigError');
}

/** Asserts each problem starts with its expected `file:line:` and contains the expected words, in order. */
export function assertProblems(actual: readonly string[], expected: readonly [string, string][]): void {
  assert.equal(actual.length, expected.length, `problems:\n${actual.join('\n')}`);
  expected.forEach(([where, words], index) => {
    const problem = actual[index] as string;
    assert.ok(problem.startsWith(`${where}: `), `problem ${index} should be at ${where}: ${problem}`);
    assert.ok(problem.includes(words), `problem ${index} should say "${words}": ${problem}`);
  });
}
