// A writer that dies inside its read-modify-write: it reads the document, prints `inside` and blocks in `decide`
// until it is SIGKILLed. Run as `node --import tsx killed-writer.ts <files|batches> <id>` with FIRESTORE_EMULATOR_HOST.
import { Firestore } from '@google-cloud/firestore';
import { writeSync } from 'node:fs';
import { FirestoreBatchStore } from '../../../lib/adapters/dbt/firestore-batch-store.js';
import { FirestoreStateStore } from '../../../lib/adapters/firestore/index.js';

const [store, id] = process.argv.slice(2) as ['files' | 'batches', string];
const db = new Firestore({ projectId: 'killed-writer', ignoreUndefinedProperties: true });

function block<T>(result: T): T {
  writeSync(1, 'inside\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
  return result;
}

if (store === 'files') {
  await new FirestoreStateStore(db).update(id, (doc) => block({ doc, write: true, result: undefined }));
} else {
  await new FirestoreBatchStore(db).update(id, 'k', (state) => block({ state, result: undefined }));
}
