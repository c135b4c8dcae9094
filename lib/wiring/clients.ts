// Google clients pointed at the emulators when their env vars are set; Cloud Storage is loaded only when first used.
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { FirestoreBatchStore } from '../adapters/dbt/firestore-batch-store.js';
import { FirestoreStateStore } from '../adapters/firestore/index.js';
import { PubSubBus } from '../adapters/pubsub/index.js';
import type { Env, Topology } from '../config/index.js';
import type { ObjectStore } from '../pipeline/index.js';

export interface Clients {
  /** Cloud Storage (fake-gcs-server through `STORAGE_API_ENDPOINT`): its client loads on the first call. */
  objects: ObjectStore;
  store: FirestoreStateStore;
  bus: PubSubBus;
  /** The one Firestore client: the state store's, shared by the dbt trigger's batch store. */
  firestore: Firestore;
  close(): Promise<void>;
}

/**
 * An ObjectStore that imports @google-cloud/storage on its first call. The matcher reads objects only for a
 * replayed archive copy: most matcher processes never load the Storage client, and start that much sooner.
 */
function lazyObjectStore(env: Env, projectId: string): ObjectStore {
  let store: Promise<ObjectStore> | undefined;
  const open = async (): Promise<ObjectStore> => {
    const [{ Storage }, { GcsObjectStore }] = await Promise.all([import('@google-cloud/storage'), import('../adapters/gcs/index.js')]);
    const storage = new Storage({ projectId, ...(env.STORAGE_API_ENDPOINT ? { apiEndpoint: env.STORAGE_API_ENDPOINT } : {}) });
    return new GcsObjectStore(storage, {
      ...(env.LANDFALL_TEMP_DIR ? { tempDirectory: env.LANDFALL_TEMP_DIR } : {}),
      // Another endpoint is an emulator (fake-gcs-server), or something else that may not enforce them.
      enforcesPreconditions: !env.STORAGE_API_ENDPOINT,
    });
  };
  return new Proxy({} as ObjectStore, {
    get: (_, method: keyof ObjectStore) => async (...args: unknown[]) => {
      const real = await (store ??= open());
      return (real[method] as (...a: unknown[]) => unknown)(...args);
    },
  });
}

/** LANDFALL_COLLECTION_PREFIX, so tests (and several deployments) can share one Firestore database. */
function collections(env: Env): { collectionPrefix?: string } {
  return env.LANDFALL_COLLECTION_PREFIX ? { collectionPrefix: env.LANDFALL_COLLECTION_PREFIX } : {};
}

/** The dbt trigger's batch keys and runs, on the process's Firestore client (the trigger, the sweep, status). */
export function batchStore(env: Env, firestore: Firestore): FirestoreBatchStore {
  return new FirestoreBatchStore(firestore, collections(env));
}

export function connectClients(env: Env, topology: Topology): Clients {
  const projectId = topology.project;
  const firestore = new Firestore({ projectId, ignoreUndefinedProperties: true });
  const pubsub = new PubSub({ projectId });
  const bus = new PubSubBus(pubsub);
  return {
    objects: lazyObjectStore(env, projectId),
    store: new FirestoreStateStore(firestore, collections(env)),
    bus,
    firestore,
    close: async () => {
      await bus.close();
      await Promise.all([pubsub.close(), firestore.terminate()]);
    },
  };
}
