// A writer that dies inside its read-modify-write: it reads the document, prints `inside` and blocks in `decide`
// until it is SIGKILLed. Run as `node --import tsx killed-writer.ts <files|batches|filed> <id>` with FIRESTORE_EMULATOR_HOST.
// `filed`: a dbt trigger that has filed its load event (`killedEvent`) and dies before folding it in.
import { Firestore } from '@google-cloud/firestore';
import { writeSync } from 'node:fs';
import { FirestoreBatchStore } from '../../../lib/adapters/dbt/firestore-batch-store.js';
import { FirestoreStateStore } from '../../../lib/adapters/firestore/index.js';
import type { TriggerEvent } from '../../../lib/transform/index.js';

const killedEvent: TriggerEvent = {
  table: 'raw_trades', loadId: 'killed', status: 'loaded', rows: 8, file: 'gs://landing/incoming/trades_k.csv#1', error: null, at: '2026-12-01T00:00:00.000Z', messageId: 'm-killed',
};

const [store, id] = process.argv.slice(2) as ['files' | 'batches' | 'filed', string];
const db = new Firestore({ projectId: 'killed-writer', ignoreUndefinedProperties: true });

function block<T>(result: T): T {
  writeSync(1, 'inside\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
  return result;
}

if (store === 'files') {
  await new FirestoreStateStore(db).update(id, (doc) => block({ doc, write: true, result: undefined }));
} else if (store === 'batches') {
  await new FirestoreBatchStore(db).update(id, 'k', (state) => block({ state, result: undefined }));
} else {
  await new FirestoreBatchStore(db, { collectionPrefix: 'filed-' }).update(id, 'k', (state) => block({ state, result: undefined }), [killedEvent]);
}
