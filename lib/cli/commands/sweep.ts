// `landfall sweep [--dry-run] [--json]`: one sweep now, as the scheduled function runs it; --dry-run says what it would do.
import { parseArgs } from 'node:util';
import type { Env } from '../../config/index.js';
import { runSweep, type SweepOutcome } from '../../sweep/index.js';
import { jsonLogger } from '../../pipeline/index.js';
import { connectClients, loadBatchesOf, loadPipelineConfig, sweepDeps } from '../../wiring/index.js';
import type { Command } from '../main.js';

function summary({ plan, dryRun, reported, deadLetters }: SweepOutcome): string {
  const verb = dryRun ? 'would' : 'did';
  const lines = [
    ...plan.redrive.map((r) => `re-drive  ${r.request.table} ${r.request.batchKey} (${r.request.data.name}): ${r.reason}`),
    ...plan.rediscover.map((o) => `re-announce  gs://${o.bucket}/${o.name}: no document holds it`),
    ...plan.overdueFiles.map((f) => `overdue  ${f.doc.table} ${f.doc.batchKey}: waiting ${f.waitedSeconds}s for ${f.waitingFor} (max_wait ${f.maxWaitSeconds}s)`),
    ...plan.overdueBatches.map((b) => `overdue  batch ${b.batch} ${b.batchKey}: ${[...b.missing.map((t) => `${t} missing`), ...b.failed.map((t) => `${t} failed`)].join(', ')}`),
  ];
  const letters = dryRun ? '' : `, ${deadLetters.redriven} dead letter(s) re-driven, ${deadLetters.left} left for a person`;
  const counts = `sweep ${verb}: ${plan.redrive.length} re-drive(s), ${plan.rediscover.length} re-announced${letters}, ${dryRun ? plan.overdueFiles.length : reported.files} overdue file(s), ${dryRun ? plan.overdueBatches.length : reported.batches} overdue batch key(s)`;
  return [...lines, counts].join('\n');
}

export const command: Command = {
  usage: 'landfall sweep [--dry-run] [--json]',
  async run(argv: string[], env: Env): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
    const config = await loadPipelineConfig(env);
    const batches = await loadBatchesOf(config);
    const clients = connectClients(env, config.topology);
    try {
      // The events the scheduled sweep logs (an overdue report is logged once, by whichever sweep makes it) go to stderr.
      const log = jsonLogger({ component: 'sweep', write: (line) => process.stderr.write(`${line}\n`) });
      const deps = sweepDeps(config, batches, clients, env, log);
      const outcome = await runSweep(deps, { dryRun: values['dry-run'] });
      console.log(values.json ? JSON.stringify(outcome, null, 2) : summary(outcome));
    } finally {
      await clients.close();
    }
    return 0;
  },
};
