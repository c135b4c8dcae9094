// `landfall put FILE...`: uploads files to the landing bucket under its prefix, which is what triggers the pipeline.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Env } from '../../config/index.js';
import { connectClients, loadPipelineConfig } from '../../wiring/index.js';
import type { Command } from '../main.js';

const USAGE = 'usage: landfall put [--folder SUBFOLDER] FILE...';

export const command: Command = {
  usage: USAGE,
  async run(argv: string[], env: Env): Promise<number> {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { folder: { type: 'string' } } });
    if (positionals.length === 0) {
      console.error(USAGE);
      return 1;
    }
    const config = await loadPipelineConfig(env);
    const clients = connectClients(env, config.topology);
    const landing = config.topology.buckets.landing;
    const folder = values.folder ? `${values.folder.replace(/^\/+|\/+$/g, '')}/` : '';
    try {
      for (const path of positionals) {
        const info = await clients.objects.upload(path, landing.name, `${landing.prefix}${folder}${basename(path)}`);
        console.log(`put ${path} → gs://${info.bucket}/${info.name}#${info.generation}`);
      }
    } finally {
      await clients.close();
    }
    return 0;
  },
};
