// Dispatches `landfall <command> …` to lib/cli/commands/<command>.ts, loaded only when used.
import type { Env } from '../config/settings.js';
import { LandfallError } from '../errors.js';

export interface Command {
  summary: string;
  /** The synopsis `landfall <command> --help` prints under the summary. */
  usage?: string;
  run(argv: string[], env: Env): Promise<number>;
}

const COMMANDS = ['load', 'put', 'status', 'replay', 'dbt-sources', 'plan', 'deploy'] as const;
type CommandName = (typeof COMMANDS)[number];

async function loadCommand(name: CommandName): Promise<Command> {
  const module = (await import(`./commands/${name}.ts`)) as { command: Command };
  return module.command;
}

async function usage(): Promise<string> {
  const lines = ['usage: landfall <command> [options]', '', 'commands:'];
  for (const name of COMMANDS) {
    const summary = await loadCommand(name).then((c) => c.summary, () => '(not available in this build)');
    lines.push(`  ${name.padEnd(12)} ${summary}`);
  }
  return lines.join('\n');
}

export async function main(argv: string[], env: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 1;
  }
  if (!(COMMANDS as readonly string[]).includes(name)) {
    console.error(`landfall: unknown command "${name}"\n\n${await usage()}`);
    return 1;
  }
  try {
    const command = await loadCommand(name as CommandName);
    if (rest[0] === '--help' || rest[0] === '-h') {
      console.log([`landfall ${name}: ${command.summary}`, command.usage].filter(Boolean).join('\n'));
      return 0;
    }
    return await command.run(rest, env);
  } catch (error) {
    console.error(`landfall ${name}: ${error instanceof LandfallError || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
