// The sweep use case: reads the active documents, the landing bucket and the batch keys, plans, and acts on the plan.
// Every action is safe to repeat: a re-driven request meets the claim protocol, a re-announced arrival the matcher's
// duplicate check, and each overdue report is marked in its document so it is logged once.
import type { TableMapping, Topology } from '../config/index.js';
import { arrivalNotification, type Bus, type FileDoc, type Logger, type ObjectStore, type Puller, type StateStore } from '../pipeline/index.js';
import type { BatchStore, TriggerBatch } from '../transform/index.js';
import { SWEEP_ATTRIBUTE, deadLetterAction } from './dead-letters.js';
import { docsToRead, planSweep, type SweepPlan } from './plan.js';

/** Dead letters taken per pull, and at most per sweep (the next sweep, a minute later, takes the rest). */
const DEAD_LETTER_PULL = 100;
const DEAD_LETTERS_PER_SWEEP = 2000;

export interface SweepDeps {
  store: StateStore;
  batchStore: BatchStore;
  bus: Bus & Puller;
  objects: ObjectStore;
  mappings: readonly TableMapping[];
  batches: readonly TriggerBatch[];
  topology: Topology;
  log: Logger;
  now?: () => Date;
}

export interface SweepOutcome {
  plan: SweepPlan;
  /** Overdue reports logged by this sweep (one already reported by an earlier sweep is not counted again). */
  reported: { files: number; batches: number };
  /** Dead letters taken from the sweep's subscription: re-driven to their topics, or left for a person. */
  deadLetters: { redriven: number; left: number };
  dryRun: boolean;
}

async function readInput(deps: SweepDeps, now: Date) {
  const landing = deps.topology.buckets.landing;
  const [active, objects, batchStates] = await Promise.all([deps.store.listActive(), deps.objects.list(landing.name, landing.prefix), deps.batchStore.listStates()]);
  const ids = docsToRead(objects, active, deps.mappings, deps.topology);
  const read = await Promise.all(ids.map(async (id) => [id, await deps.store.get(id)] as const));
  const others = new Map(read.filter((entry): entry is readonly [string, FileDoc] => entry[1] !== undefined));
  return { active, landing: objects, others, batchStates, batches: deps.batches, mappings: deps.mappings, topology: deps.topology, now };
}

/**
 * Each dead letter back to its topic, the minute the sweep sees it, with Pub/Sub's reason in the log; one that was
 * re-driven `maxRedrives` times already, or is malformed, stays in the hold subscription for a person.
 */
async function redriveDeadLetters(deps: SweepDeps): Promise<SweepOutcome['deadLetters']> {
  const { topology } = deps;
  const counts = { redriven: 0, left: 0 };
  for (let taken = 0; taken < DEAD_LETTERS_PER_SWEEP; ) {
    const letters = await deps.bus.pull(topology.deadLetterSweepSubscription, DEAD_LETTER_PULL);
    if (letters.length === 0) break;
    taken += letters.length;
    for (const { message, ack } of letters) {
      const action = deadLetterAction(message, topology.sweep.maxRedrives, topology, deps.mappings);
      const table = action.table ?? null;
      if (action.kind === 'redrive') {
        const messageId = await deps.bus.publish(topology.topics[action.topic], message.data, action.attributes);
        deps.log('WARNING', 'sweep_dead_letter_redriven', { table, topic: action.topic, deadLetterId: message.messageId, messageId, reason: action.reason, redrives: Number(action.attributes.landfallRedrives) });
        counts.redriven++;
      } else {
        deps.log('ERROR', 'sweep_dead_letter_left', { table, deadLetterId: message.messageId, reason: action.reason, attributes: message.attributes });
        counts.left++;
      }
      await ack();
    }
  }
  return counts;
}

export async function runSweep(deps: SweepDeps, options: { dryRun?: boolean } = {}): Promise<SweepOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const plan = planSweep(await readInput(deps, now));
  const dryRun = options.dryRun ?? false;
  const reported = { files: 0, batches: 0 };
  if (dryRun) return { plan, reported, deadLetters: { redriven: 0, left: 0 }, dryRun };
  const deadLetters = await redriveDeadLetters(deps);
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
  deps.log('INFO', 'sweep_done', {
    redriven: plan.redrive.length,
    rediscovered: plan.rediscover.length,
    deadLettersRedriven: deadLetters.redriven,
    deadLettersLeft: deadLetters.left,
    overdueFiles: reported.files,
    overdueBatches: reported.batches,
  });
  return { plan, reported, deadLetters, dryRun };
}
