// A process killed in the middle of a read-modify-write of a state document must not hold that document: the
// next writer (the redelivery, the sweep, the next file) changes it at once. A Firestore transaction holds its
// locks until the server gives up on it (about a minute on the emulator, 60 s idle in production), and every
// other handler of that document waited that long: in the chaos test, one file settled 50 s after the last kill.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { FirestoreBatchStore } from '../../../lib/adapters/dbt/firestore-batch-store.js';
import { FirestoreStateStore } from '../../../lib/adapters/firestore/index.js';
import { newFileDoc } from '../../../lib/pipeline/index.js';
import { applyEvents, emptyState, type BatchKeyState, type TriggerBatch, type TriggerEvent } from '../../../lib/transform/index.js';
import { plain } from '../../unit/pipeline/helpers.js';
import { firestoreForTests } from '../pipeline/emulators.js';

const DAILY: TriggerBatch = { name: 'daily', tables: ['raw_trades', 'raw_positions'], select: 'tag:daily', policy: { kind: 'all_tables' }, perFolder: false };

/** Far below the lock's lifetime, far above a write's: the next writer must not wait for the dead one. */
const NEXT_WRITE_BOUND_MS = 5_000;

const firestore = firestoreForTests('killed-writer');

/** Starts a writer of `id` in its own process, waits until it is inside its decide step, and SIGKILLs it there. */
async function killInside(store: 'files' | 'batches' | 'filed', id: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'killed-writer.ts'), store, id], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('inside') && resolve());
    child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before it was inside its update`)));
  });
  child.kill('SIGKILL');
  await exited;
}

async function timed<T>(write: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await write();
  return { ms: Date.now() - started, value };
}

test('file documents: a writer killed inside update leaves the document free for the next one', async (t) => {
  const store = new FirestoreStateStore(firestore.client);
  const doc = newFileDoc(plain, { folder: '', batchKey: '20261201' }, '2026-12-01T00:00:00.000Z');
  await store.update('raw~a', () => ({ doc, write: true, result: undefined }));
  await killInside('files', 'raw~a');
  const next = await timed(() => store.update('raw~a', (current) => ({ doc: { ...current!, state: 'ready' as const }, write: true, result: current!.state })));
  t.diagnostic(`the next update took ${next.ms} ms`);
  assert.ok(next.ms < NEXT_WRITE_BOUND_MS, `the next update waited ${next.ms} ms for the killed writer`);
  assert.equal(next.value, 'waiting');
  assert.equal((await store.get('raw~a'))?.state, 'ready');
});

test('batch key states: a dbt trigger killed inside update leaves the state free for the next one', async (t) => {
  const store = new FirestoreBatchStore(firestore.client);
  await store.update('daily', 'k', () => ({ state: emptyState('daily', 'k', '2026-12-01T00:00:00.000Z'), result: undefined }));
  await killInside('batches', 'daily');
  const next = await timed(() => store.update('daily', 'k', (state) => ({ state: { ...state!, dueAt: '2026-12-01T00:01:00.000Z' }, result: state!.dueAt })));
  t.diagnostic(`the next update took ${next.ms} ms`);
  assert.ok(next.ms < NEXT_WRITE_BOUND_MS, `the next update waited ${next.ms} ms for the killed trigger`);
  assert.equal(next.value, null);
  assert.deepEqual((await store.listStates()).map((s) => s.dueAt), ['2026-12-01T00:01:00.000Z']);
});

test('batch key states: a dbt trigger killed after filing its load event loses nothing: the next write folds it in', async () => {
  const store = new FirestoreBatchStore(firestore.client, { collectionPrefix: 'filed-' });
  await killInside('filed', 'daily');
  const own: TriggerEvent = { table: 'raw_positions', loadId: 'next', status: 'loaded', rows: 8, file: 'gs://landing/incoming/positions_k.csv#1', error: null, at: '2026-12-01T00:00:01.000Z', messageId: 'm-next' };
  const fold = (state: BatchKeyState | undefined, filed: TriggerEvent[]) => ({
    state: applyEvents(DAILY, state ?? emptyState('daily', 'k', own.at), filed, own.messageId, own.at) ?? state!,
    folded: true,
    result: filed.map((e) => e.loadId).sort(),
  });
  assert.deepEqual(await store.update('daily', 'k', fold, [own]), ['killed', 'next']);
  const [state] = await store.listStates();
  assert.deepEqual(Object.keys(state?.members ?? {}).sort(), ['raw_positions', 'raw_trades']);
  // Folded events leave the file: the next writer is given none.
  assert.deepEqual(await store.update('daily', 'k', (current, filed) => ({ state: current!, result: filed })), []);
});
