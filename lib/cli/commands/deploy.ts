// `landfall deploy [--dry-run] --project P [--source DIR|gs://…zip]`: the gcloud commands that deploy the functions.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.js';
import { loadTopology, parseSettings } from '../../config/index.js';
import { deploySteps, renderScript, runSteps } from '../../deploy/index.js';

const OPTIONS = {
  'dry-run': { type: 'boolean', default: false },
  project: { type: 'string' },
  source: { type: 'string', default: '.' },
} as const;

export const command: Command = {
  async run(argv, env) {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
    const project = values.project ?? env.GCP_PROJECT ?? env.GOOGLE_CLOUD_PROJECT;
    if (!project) {
      console.error('landfall deploy: name the project with --project (or GCP_PROJECT)');
      return 1;
    }
    const settings = parseSettings(env);
    const topology = await loadTopology(path.resolve(settings.topologyPath), { project });
    const steps = deploySteps(topology, { project, source: values.source });
    if (values['dry-run']) {
      process.stdout.write(renderScript(steps));
      return 0;
    }
    await runSteps(steps);
    return 0;
  },
};
