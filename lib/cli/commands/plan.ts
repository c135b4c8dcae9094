// `landfall plan [--json] [--tfvars [--write]]`: the orchestration plan, or terraform's tfvars, from the one topology.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.js';
import { loadTableMappings, loadTopology, parseSettings } from '../../config/index.js';
import type { Env, TableMapping } from '../../config/index.js';
import { TFVARS_PATH, buildPlan, renderPlanText, renderTfvars } from '../../deploy/index.js';
import type { PlanBatch } from '../../deploy/index.js';
import { loadBatchDefinitions } from '../../transform/index.js';

const OPTIONS = {
  json: { type: 'boolean', default: false },
  tfvars: { type: 'boolean', default: false },
  write: { type: 'boolean', default: false },
  project: { type: 'string' },
  source: { type: 'string', default: '.' },
} as const;

/** Mapping file paths relative to the working directory, so the plan reads the same on every checkout. */
function relativeSources(mappings: readonly TableMapping[], cwd: string): TableMapping[] {
  return mappings.map((m) => ({ ...m, source: { ...m.source, file: path.relative(cwd, path.resolve(cwd, m.source.file)) } }));
}

export async function planFor(env: Env, options: { project?: string; source: string }, cwd = process.cwd()) {
  const settings = parseSettings(env);
  const topology = await loadTopology(path.resolve(cwd, settings.topologyPath), { project: options.project });
  const mappings = relativeSources(await loadTableMappings(path.resolve(cwd, settings.tableConfigPath)), cwd);
  const batches: PlanBatch[] = (await loadBatchDefinitions(path.resolve(cwd, settings.batchConfigPath), mappings.map((m) => m.table))).map((b) => ({
    name: b.name,
    tables: b.tables,
    select: b.select,
    policy: b.policy,
  }));
  return { topology, plan: buildPlan({ topology, mappings, batches, source: options.source }) };
}

export const command: Command = {
  async run(argv, env) {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
    if (values.tfvars) {
      const settings = parseSettings(env);
      const text = renderTfvars(await loadTopology(settings.topologyPath));
      if (values.write) {
        await writeFile(TFVARS_PATH, text);
        console.error(`wrote ${TFVARS_PATH}`);
      } else process.stdout.write(text);
      return 0;
    }
    const { plan } = await planFor(env, { project: values.project, source: values.source });
    process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlanText(plan)}\n`);
    return 0;
  },
};
