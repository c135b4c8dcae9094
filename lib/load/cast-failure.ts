// A value a typed column cannot take, named the same on every warehouse: file, line or record, column, value.
import { TerminalError } from '../errors.js';
import { fieldRecords, recordWord } from './formats/field-records.js';
import { foldName } from './header.js';
import type { LoadJob } from './warehouse.js';

/** Values of one field that its column's type cannot take, as the warehouse found them. */
export interface BadValues {
  /** The table's column, in its own spelling. */
  column: string;
  /** The column's type, in the warehouse's words (`INTEGER`, `INT64`). */
  type: string;
  /** The field's 1-based position in the job's header. */
  position: number;
  /** The field's text (as `fieldRecords` gives it) in records that do not cast. */
  values: ReadonlySet<string>;
  /** The first such record, when the warehouse could tell it (DuckDB reading Parquet with its row numbers). */
  record?: number;
}

const cut = (value: string) => (value.length > 60 ? `${value.slice(0, 57)}…` : value);

function say(job: LoadJob, bad: BadValues, line: number | undefined, value: string, cause: unknown): TerminalError {
  const file = job.source.name;
  const where = line === undefined ? `${file}:` : `${file} ${recordWord(job)} ${line}:`;
  const name = job.header[bad.position - 1]!;
  const field = foldName(name) === foldName(bad.column) ? '' : ` (field "${name}")`;
  const context = { file, table: job.table, loadId: job.loadId, ...(line === undefined ? {} : { line }) };
  return new TerminalError(`${where} the value ${JSON.stringify(cut(value))} cannot be cast to ${bad.type} for column ${bad.column}${field} of table ${job.table}`, context, cause);
}

/**
 * The file's failure for values its table's types cannot take: the first record holding one of them, found by
 * reading the file again (the failure path only), or the record the warehouse named. Undefined when none was found.
 */
export async function badCastError(job: LoadJob, found: readonly BadValues[], cause?: unknown): Promise<TerminalError | undefined> {
  if (found.length === 0) return undefined;
  const known = found.filter((b) => b.record !== undefined).sort((a, b) => a.record! - b.record!)[0];
  if (known) return say(job, known, known.record, [...known.values][0]!, cause);
  for await (const record of fieldRecords(job)) {
    for (const bad of found) {
      const text = record.texts[bad.position - 1];
      if (text !== null && text !== undefined && bad.values.has(text)) return say(job, bad, record.line, text, cause);
    }
  }
  return say(job, found[0]!, undefined, [...found[0]!.values][0]!, cause);
}
