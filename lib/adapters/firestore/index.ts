// Firestore as the pipeline's state store.
export { FirestoreStateStore } from './state-store.js';
export type { FirestoreStateStoreOptions } from './state-store.js';
