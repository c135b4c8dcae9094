// `landfall replay`: re-publish GCS notifications for chosen objects (forced reload), or seek the arrivals subscription.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BUCKET_ROLES, subscriptionName, type BucketRole, type Env } from '../../config/index.js';
import { replayNotification, selectForReplay, type ReplayCriteria } from '../../pipeline/index.js';
import { connectClients, loadPipelineConfig } from '../../wiring/index.js';
import type { Command } from '../main.js';

const USAGE = `usage: landfall replay [--from landing|archive|failed] [--prefix P] [--table T] [--batch-key K]
                       [--since TIME] [--until TIME] (--dry-run | --yes)
       landfall replay --seek TIME (--dry-run | --yes)`;

export interface ReplayArgs {
  criteria: ReplayCriteria;
  seek: Date | undefined;
  dryRun: boolean;
  yes: boolean;
}

function time(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${flag} must be a date/time such as 2024-01-15T08:00:00Z, got "${value}"`);
  return date;
}

/** Pure: flags → what to do. */
export function parseReplayArgs(argv: string[]): ReplayArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string', default: 'archive' },
      prefix: { type: 'string' },
      table: { type: 'string' },
      'batch-key': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      seek: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
    },
  });
  if (!(BUCKET_ROLES as readonly string[]).includes(values.from!)) throw new Error(`--from must be one of ${BUCKET_ROLES.join(', ')}`);
  const criteria: ReplayCriteria = { from: values.from as BucketRole };
  if (values.prefix !== undefined) criteria.prefix = values.prefix;
  if (values.table !== undefined) criteria.table = values.table;
  if (values['batch-key'] !== undefined) criteria.batchKey = values['batch-key'];
  const since = time(values.since, '--since');
  const until = time(values.until, '--until');
  if (since) criteria.since = since;
  if (until) criteria.until = until;
  return { criteria, seek: time(values.seek, '--seek'), dryRun: values['dry-run']!, yes: values.yes! };
}

export const command: Command = {
  usage: USAGE,
  async run(argv: string[], env: Env): Promise<number> {
    const args = parseReplayArgs(argv);
    if (!args.dryRun && !args.yes) {
      console.error(`${USAGE}\n\nreplay changes the warehouse: pass --dry-run to see what it selects, --yes to do it`);
      return 1;
    }
    const config = await loadPipelineConfig(env);
    const clients = connectClients(env, config.topology);
    try {
      if (args.seek) {
        const subscription = subscriptionName(config.topology, 'matcher');
        console.log(`seek ${subscription} to ${args.seek.toISOString()}: arrivals published since then are delivered again`);
        if (!args.dryRun) await clients.bus.seek(subscription, args.seek);
        return 0;
      }
      const bucket = config.topology.buckets[args.criteria.from];
      const listed = await clients.objects.list(bucket.name, args.criteria.from === 'landing' ? bucket.prefix : '');
      const selected = selectForReplay(listed, args.criteria, config.mappings, config.topology);
      for (const c of selected) {
        console.log(`${args.dryRun ? 'would replay' : 'replay'} ${c.role.padEnd(4)} ${c.table}/${c.batchKey}  gs://${c.object.bucket}/${c.object.name}  (landed as ${c.origin.name}#${c.origin.generation})`);
      }
      console.log(`${selected.length} object(s) selected from gs://${bucket.name}`);
      if (args.dryRun) return 0;
      const replayId = randomUUID();
      for (const c of selected) {
        const { data, attributes } = replayNotification(c.object, replayId, new Date());
        await clients.bus.publish(config.topology.topics.arrivals, data, attributes);
      }
      console.log(`published ${selected.length} replay notification(s), replay id ${replayId}`);
      return 0;
    } finally {
      await clients.close();
    }
  },
};
