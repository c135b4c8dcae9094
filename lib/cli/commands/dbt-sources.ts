// `landfall dbt-sources`: writes dbt/models/sources.yml from the table mappings (or, with --check, says if it is stale).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadTableMappings, parseSettings } from '../../config/index.js';
import { DBT_SOURCES_PATH, renderDbtSources } from '../../transform/index.js';
import type { Command } from '../main.js';

export const command: Command = {
  async run(argv, env) {
    const { values } = parseArgs({
      args: argv,
      options: { check: { type: 'boolean', default: false }, out: { type: 'string', default: DBT_SOURCES_PATH } },
    });
    const out = values.out ?? DBT_SOURCES_PATH;
    const settings = parseSettings(env);
    const text = renderDbtSources(await loadTableMappings(settings.tableConfigPath));
    const current = await readFile(out, 'utf8').catch(() => undefined);
    if (values.check) {
      if (current === text) return 0;
      console.error(`${out} is out of date with ${settings.tableConfigPath}: run \`landfall dbt-sources\``);
      return 1;
    }
    if (current === text) {
      console.log(`${out} is up to date`);
    } else {
      await writeFile(out, text);
      console.log(`wrote ${out} from ${settings.tableConfigPath}`);
    }
    return 0;
  },
};
