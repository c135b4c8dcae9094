// `landfall status [--json]`: every tracked file (state, table, batch key, age, rows, error) and unmatched objects.
import { parseArgs } from 'node:util';
import type { Env } from '../../config/index.js';
import { connectClients, formatStatus, loadPipelineConfig, statusRows } from '../../pipeline/index.js';
import type { Command } from '../main.js';

export const command: Command = {
  summary: 'show every tracked file: state, table, batch key, age, rows, error; waiting and unmatched files',
  async run(argv: string[], env: Env): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    const config = await loadPipelineConfig(env);
    const clients = connectClients(env, config.topology);
    try {
      const [docs, unmatched] = await Promise.all([clients.store.list(), clients.store.listUnmatched()]);
      const rows = statusRows(docs, unmatched, new Date());
      console.log(values.json ? JSON.stringify(rows, null, 2) : formatStatus(rows));
    } finally {
      await clients.close();
    }
    return 0;
  },
};
