// The sweep use case: reads the active documents, the landing bucket and the batch keys, plans, and acts on the plan.
// Every action is safe to repeat: a re-driven request meets the claim protocol, a re-announced arrival the matcher's
// duplicate check, and each overdue report is marked in its document so it is logged once.
import type { TableMapping, Topology } from '../config/index.js';
import { arrivalNotification, type Bus, type FileDoc, type Logger, type ObjectStore, type StateStore } from '../pipeline/index.js';
import type { BatchStore, TriggerBatch } from '../transform/index.js';
import { docsToRead, planSweep, type SweepPlan } from './plan.js';

/** On every message the sweep publishes, so a reader of the logs or the bus can tell its re-drives apart. */
export const SWEEP_ATTRIBUTE = 'landfallSweep';

export interface SweepDeps {
  store: StateStore;
  batchStore: BatchStore;
  bus: Bus;
  objects: ObjectStore;
  mappings: readonly TableMapping[];
  batches: readonly TriggerBatch[];
  topology: Topology;
  leaseMs: number;
  log: Logger;
  now?: () => Date;
}

export interface SweepOutcome {
  plan: SweepPlan;
  /** Overdue reports logged by this sweep (one already reported by an earlier sweep is not counted again). */
  reported: { files: number; batches: number };
  dryRun: boolean;
}

async function readInput(deps: SweepDeps, now: Date) {
  const landing = deps.topology.buckets.landing;
  const [active, objects, batchStates] = await Promise.all([deps.store.listActive(), deps.objects.list(landing.name, landing.prefix), deps.batchStore.listStates()]);
  const ids = docsToRead(objects, active, deps.mappings, deps.topology);
  const read = await Promise.all(ids.map(async (id) => [id, await deps.store.get(id)] as const));
  const others = new Map(read.filter((entry): entry is readonly [string, FileDoc] => entry[1] !== undefined));
  return { active, landing: objects, others, batchStates, batches: deps.batches, mappings: deps.mappings, topology: deps.topology, now, leaseMs: deps.leaseMs };
}

export async function runSweep(deps: SweepDeps, options: { dryRun?: boolean } = {}): Promise<SweepOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const plan = planSweep(await readInput(deps, now));
  const dryRun = options.dryRun ?? false;
  const reported = { files: 0, batches: 0 };
  if (dryRun) return { plan, reported, dryRun };
  const { topics, alerts } = deps.topology;
  const attributes = { [SWEEP_ATTRIBUTE]: 'true' };
  for (const { request, reason } of plan.redrive) {
    const messageId = await deps.bus.publish(topics.loadRequests, Buffer.from(JSON.stringify(request)), attributes);
    deps.log('WARNING', 'sweep_redrive', { table: request.table, batchKey: request.batchKey, attempt: request.attempt, file: request.data.name, reason, messageId });
  }
  for (const object of plan.rediscover) {
    const notification = arrivalNotification(object, now, attributes);
    const messageId = await deps.bus.publish(topics.arrivals, notification.data, notification.attributes);
    deps.log('WARNING', 'sweep_rediscovered', { object: { bucket: object.bucket, name: object.name, generation: object.generation }, reason: 'no document holds this landed object: its arrival was lost', messageId });
  }
  const reportedAt = now.toISOString();
  for (const late of plan.overdueFiles) {
    const round = late.doc.round;
    const wrote = await deps.store.patch(late.id, (doc) =>
      doc?.state === 'waiting' && doc.round === round && doc.overdue?.round !== round ? { overdue: { round, reportedAt } } : undefined,
    );
    if (!wrote) continue;
    reported.files++;
    const { data, go } = late.doc.current;
    deps.log('WARNING', alerts.overdueFileLogEvent, {
      table: late.doc.table,
      folder: late.doc.folder,
      batchKey: late.doc.batchKey,
      file: (data ?? go)?.name,
      waitingFor: late.waitingFor,
      waitedSeconds: late.waitedSeconds,
      maxWaitSeconds: late.maxWaitSeconds,
    });
  }
  for (const late of plan.overdueBatches) {
    const wrote = await deps.batchStore.update(late.batch, late.batchKey, (state) =>
      state !== undefined && state.overdueReportedAt === undefined ? { state: { ...state, overdueReportedAt: reportedAt }, result: true } : { result: false },
    );
    if (!wrote) continue;
    reported.batches++;
    deps.log('WARNING', alerts.overdueBatchLogEvent, { ...late });
  }
  deps.log('INFO', 'sweep_done', { redriven: plan.redrive.length, rediscovered: plan.rediscover.length, overdueFiles: reported.files, overdueBatches: reported.batches });
  return { plan, reported, dryRun };
}
