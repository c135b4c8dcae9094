// The count check every warehouse makes before it commits, naming the trailer's line when the warehouse counted it.
import { checkRowCount } from '../validate/index.js';
import type { LoadJob } from './warehouse.js';

/**
 * Throws when the rows found differ from the go file's or trailer's count. `trailerLine` is the trailer's physical
 * line as a warehouse that streamed the rows counted it, for a trailer found without reading the file
 * (`job.expected.line` undefined); without either the message says "last line".
 */
export function checkExpectedRows(job: Pick<LoadJob, 'expected' | 'source'>, rows: number, trailerLine?: number): void {
  const { expected } = job;
  if (!expected) return;
  const line = expected.line ?? trailerLine;
  checkRowCount(line === undefined ? expected : { ...expected, line }, rows, job.source.name);
}
