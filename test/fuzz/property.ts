// The fuzz property (a batch of generated files agrees with the reference), and how a counterexample is shown.
import fc from 'fast-check';
import type { CsvCase } from './csv-cases.js';
import { differences } from './landfall-batch.js';

export function fuzzProperty(arbitrary: fc.Arbitrary<CsvCase>, filesPerRun: number) {
  return fc.asyncProperty(fc.array(arbitrary, { minLength: 1, maxLength: filesPerRun }), async (cases) => {
    const mismatches = await differences(cases);
    if (mismatches.length > 0) {
      const first = mismatches[0]!;
      const c = cases[first.index]!;
      throw new Error(
        `landfall and the reference disagree on ${mismatches.length} of ${cases.length} file(s); the first:\n` +
          `  content  ${JSON.stringify(c.content.toString('latin1'))} (latin1 view)${c.gzip ? ', gzipped' : ''}\n` +
          `  mapping  delimiter ${JSON.stringify(c.delimiter)}${c.trailer ? `, trailer ${JSON.stringify(c.trailer)}` : ''}${c.goFile ? `, go file ${JSON.stringify(c.goFile)}` : ''}\n` +
          `  expected ${JSON.stringify(first.expected)}\n` +
          `  landfall ${JSON.stringify(first.actual)}`,
      );
    }
  });
}

/** The shrunk counterexample's message, with the seed and path that replay it. */
export function describeMismatch(result: fc.RunDetails<[CsvCase[]]>): string {
  const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  return `${error}\n(seed ${result.seed}, path "${result.counterexamplePath}", after ${result.numRuns} run(s), ${result.numShrinks} shrink(s))`;
}
