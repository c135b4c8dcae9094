// The main command's link to a running stack: clients, the fate board fed by events, dead letters and dbt runs.
import { Firestore } from '@google-cloud/firestore';
import type { TableMapping } from '../lib/config/index.js';
import { connectClients, type Clients } from '../lib/wiring/index.js';
import type { BatchDefinition, DbtRunRecord } from '../lib/transform/index.js';
import { dbtRunReporter, expectedRuns } from './dbt-lines.js';
import { FateBoard } from './fate-board.js';
import { openFateFeeds, type FateFeeds } from './fate-feeds.js';
import { pubsubClient, type Stack } from './stack.js';
import type { Landing } from './uploads.js';

export interface Session {
  board: FateBoard;
  landing: Landing;
  mappings: readonly TableMapping[];
  /** Set on Ctrl-C: listeners losing their emulators mid-stop is expected then, not news. */
  stopping: boolean;
  /** dbt runs the loads so far should start that have not finished yet (only when the stack runs dbtTrigger). */
  pendingRuns(): { batch: string; batchKey: string }[];
  /** How each expected run ended, for the summary. */
  finishedRuns(): DbtRunRecord[];
  close(): Promise<void>;
}

export interface SessionConfig {
  mappings: readonly TableMapping[];
  batches: readonly BatchDefinition[];
  collectionPrefix?: string;
  say(line: string): void;
}

const runKey = (run: { batch: string; batchKey: string }) => `${run.batch}\u0000${run.batchKey}`;

/** Expects process.env to carry the stack's env already (the Google clients read the emulator hosts there). */
export function openSession(stack: Stack, config: SessionConfig): Session {
  const clients: Clients = connectClients(process.env, stack.topology);
  const pubsub = pubsubClient(stack.project, stack.ports.pubsub);
  const firestore = new Firestore({ projectId: stack.project });
  const board = new FateBoard(config.mappings, stack.topology.buckets.landing.prefix);
  const runs = new Map<string, DbtRunRecord>();
  const reportRun = dbtRunReporter(() => board.line('', '').length);
  const batches = stack.functions.includes('dbtTrigger') ? config.batches : [];
  const session: Session = {
    board,
    landing: { objects: clients.objects, bucket: stack.topology.buckets.landing.name, prefix: stack.topology.buckets.landing.prefix },
    mappings: config.mappings,
    stopping: false,
    pendingRuns: () => {
      const loaded = board.fates().filter((f) => f.fate === 'loaded');
      return expectedRuns(batches, loaded).filter((r) => (runs.get(runKey(r))?.status ?? 'running') === 'running');
    },
    finishedRuns: () => [...runs.values()].filter((r) => r.status !== 'running'),
    close: async () => {
      await feeds.close();
      await Promise.allSettled([clients.close(), pubsub.close(), firestore.terminate()]);
    },
  };
  const say = (line: string | undefined) => {
    if (line !== undefined) config.say(line);
  };
  const feeds: FateFeeds = openFateFeeds(
    { pubsub, firestore, ...(config.collectionPrefix ? { collectionPrefix: config.collectionPrefix } : {}) },
    {
      event: (event, atMs) => say(board.event(event, atMs)),
      deadLetter: (message) => say(board.deadLetter(message)),
      run: (run) => {
        const before = runs.get(runKey(run));
        if (before === undefined || run.seq >= before.seq) runs.set(runKey(run), run);
        say(reportRun(run));
      },
      problem: (text) => {
        if (!session.stopping) say(`! ${text}`);
      },
    },
  );
  return session;
}

/** --once: the exit code says whether every data file uploaded loaded and every dbt run they started succeeded. */
export function summarizeOnce(session: Pick<Session, 'board' | 'finishedRuns' | 'pendingRuns'>): { line: string; exitCode: 0 | 1 } {
  const fates = session.board.fates();
  const loaded = fates.filter((f) => f.fate === 'loaded').length;
  const runs = session.finishedRuns();
  const good = runs.filter((r) => r.status === 'success').length;
  const pending = session.pendingRuns().length;
  const dbt = runs.length + pending > 0 ? `; dbt: ${good} of ${runs.length + pending} runs succeeded` : '';
  const ok = fates.length > 0 && loaded === fates.length && good === runs.length && pending === 0;
  return { line: `${loaded} of ${fates.length} sample files loaded${dbt}`, exitCode: ok ? 0 : 1 };
}
