// Dispatches `landfall <command> …` to lib/cli/commands/<command>, loaded only when used: --help loads none of them.
import type { Env } from '../config/settings.js';
import { LandfallError } from '../errors.js';

export interface Command {
  /** The synopsis `landfall <command> --help` prints under the summary. */
  usage?: string;
  run(argv: string[], env: Env): Promise<number>;
}

/** Each command's one-line summary, and the module that runs it (imported by name, so compiled output runs it too). */
const COMMANDS = {
  load: { summary: 'load CSV, JSON-lines, Parquet and Avro files into DuckDB (validated, idempotent, one transaction per file)', load: () => import('./commands/load.js') },
  promote: {
    summary: 'move a drifted field out of _extra into a column of its own (one transaction; later loads fill it)',
    load: () => import('./commands/promote.js'),
  },
  put: { summary: 'upload files to the landing bucket (the pipeline picks them up)', load: () => import('./commands/put.js') },
  status: {
    summary: 'show every tracked file (state, table, batch key, age, rows, error), waiting and unmatched files, dbt batches and runs',
    load: () => import('./commands/status.js'),
  },
  replay: {
    summary: 're-publish arrival notifications of chosen objects (replaces their rows), or --seek the arrivals subscription',
    load: () => import('./commands/replay.js'),
  },
  sweep: {
    summary: 're-drive files stuck past the lease or whose arrival was lost, and report overdue files and batches; --dry-run prints',
    load: () => import('./commands/sweep.js'),
  },
  'dbt-sources': {
    summary: 'write the dbt sources (dbt/models/sources.yml) from the table mappings; --check: fail if stale',
    load: () => import('./commands/dbt-sources.js'),
  },
  plan: { summary: 'print the orchestration plan (tables, batches, topics, functions, schedules, alerts); --tfvars for terraform', load: () => import('./commands/plan.js') },
  deploy: { summary: 'deploy the functions with gcloud (gen2), as the topology and terraform define them; --dry-run prints', load: () => import('./commands/deploy.js') },
} as const satisfies Record<string, { summary: string; load: () => Promise<{ command: Command }> }>;

type CommandName = keyof typeof COMMANDS;

function usage(): string {
  const lines = ['usage: landfall <command> [options]', '', 'commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${summary}`);
  return lines.join('\n');
}

export async function main(argv: string[], env: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    console.error(`landfall: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    const { summary, load } = COMMANDS[name as CommandName];
    const { command } = await load();
    if (rest[0] === '--help' || rest[0] === '-h') {
      console.log([`landfall ${name}: ${summary}`, command.usage].filter(Boolean).join('\n'));
      return 0;
    }
    return await command.run(rest, env);
  } catch (error) {
    console.error(`landfall ${name}: ${error instanceof LandfallError || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
