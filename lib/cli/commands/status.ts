// `landfall status [--json]`: every tracked file (state, table, batch key, age, rows, error), unmatched objects, dbt batches and runs.
import { parseArgs } from 'node:util';
import type { Env } from '../../config/index.js';
import { formatStatus, statusRows } from '../../pipeline/index.js';
import { batchStore, connectClients, loadBatchesOf, loadPipelineConfig } from '../../wiring/index.js';
import { formatDbtStatus, readDbtStatus } from '../../transform/index.js';
import type { Command } from '../main.js';


export const command: Command = {
  async run(argv: string[], env: Env): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    // Every configuration problem is reported before a client connects.
    const config = await loadPipelineConfig(env);
    const batches = await loadBatchesOf(config);
    const clients = connectClients(env, config.topology);
    try {
      const [docs, unmatched, dbt] = await Promise.all([clients.store.list(), clients.store.listUnmatched(), readDbtStatus(batchStore(env, clients.firestore), batches)]);
      const files = statusRows(docs, unmatched, new Date(), config.mappings);
      console.log(values.json ? JSON.stringify({ files, dbt }, null, 2) : `${formatStatus(files)}\n\n${formatDbtStatus(dbt)}`);
    } finally {
      await clients.close();
    }
    return 0;
  },
};
