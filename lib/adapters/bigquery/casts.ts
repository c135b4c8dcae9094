// Which of a file's fields its table's types must take (checked by the count query), and the file's failure when one does not.
import { TerminalError } from '../../errors.js';
import { badCastError, planColumns } from '../../load/index.js';
import type { BadValues, LoadJob } from '../../load/index.js';
import { bigQueryType, castable } from './column-types.js';
import type { TableColumn } from './column-types.js';
import type { CastCheck } from './count-sql.js';
import { badValue } from './staged-sql.js';
import type { StagedFields } from './staged-sql.js';

/** A check, and the column it is for. */
export interface FieldCheck extends CastCheck {
  column: string;
}

/** How the job's fields sit in its staging table. */
export function stagedFieldsOf(job: LoadJob): StagedFields {
  return { format: job.format ?? 'csv', width: job.header.length };
}

/** The columns a new table gets from the job's own header (and types, for Parquet and Avro): its values cast to them. */
export function ownColumns(job: LoadJob): TableColumn[] {
  return job.header.map((name, i) => ({ name, type: job.types?.[i] === undefined ? 'STRING' : bigQueryType(job.types[i]) }));
}

/**
 * The job's fields that go into columns of a type other than STRING, each to be checked. A field whose column is of a
 * type no text casts to (a RECORD, an ARRAY) fails the file.
 */
export function fieldChecks(job: LoadJob, columns: readonly TableColumn[]): FieldCheck[] {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const fields = stagedFieldsOf(job);
  const checks: FieldCheck[] = [];
  for (const { position, column } of planColumns(job.header, columns.map((c) => c.name)).known) {
    const type = types.get(column)!;
    if (!castable(type)) {
      const file = job.source.name;
      throw new TerminalError(`${file}: column ${column} of table ${job.table} is of type ${type}, which landfall cannot load a field into`, { file, table: job.table, loadId: job.loadId });
    }
    if (badValue(fields, position, type) !== undefined) checks.push({ position, column, type });
  }
  return checks;
}

/** The file's failure when the count query found values that do not cast (`bad[k]` for `checks[k]`); undefined when none. */
export async function castFailure(job: LoadJob, checks: readonly FieldCheck[], bad: readonly (string | null)[]): Promise<TerminalError | undefined> {
  const found: BadValues[] = checks.flatMap((c, k) => (bad[k] === null || bad[k] === undefined ? [] : [{ column: c.column, type: c.type, position: c.position, values: new Set([bad[k]!]) }]));
  return badCastError(job, found);
}
