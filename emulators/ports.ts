// Where each part of the local stack listens: firebase.json's `emulators` block, or free ports for tests.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export const HOST = '127.0.0.1';

export const STACK_PARTS = ['pubsub', 'firestore', 'storage', 'matcher', 'loader', 'dbtTrigger', 'sweep', 'relay', 'bigquery', 'quotaGate'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

export const FUNCTION_PARTS = ['matcher', 'loader', 'dbtTrigger', 'sweep'] as const satisfies readonly StackPart[];
export type FunctionPart = (typeof FUNCTION_PARTS)[number];

export type StackPorts = Record<StackPart, number>;

interface EmulatorEntry {
  port?: unknown;
}

/**
 * Ports from firebase.json. The functions emulator has one port there; landfall runs one functions-framework
 * process per function, so they take that port and the next ones, in FUNCTION_PARTS order; the push relay
 * (which stands in for Pub/Sub's push) answers its health check on the port after those. The BigQuery mode's
 * emulator and the quota gate in front of it (Firebase has no BigQuery emulator to name) take the two after that.
 */
export function portsFromFirebaseJson(text: string, file = 'firebase.json'): StackPorts {
  const emulators = (JSON.parse(text) as { emulators?: Record<string, EmulatorEntry> }).emulators ?? {};
  const port = (key: string): number => {
    const value = emulators[key]?.port;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`${file}: emulators.${key}.port must be a port number, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const functionsBase = port('functions');
  return {
    pubsub: port('pubsub'),
    firestore: port('firestore'),
    storage: port('storage'),
    matcher: functionsBase,
    loader: functionsBase + 1,
    dbtTrigger: functionsBase + 2,
    sweep: functionsBase + 3,
    relay: functionsBase + 4,
    bigquery: functionsBase + 5,
    quotaGate: functionsBase + 6,
  };
}

export async function readConfiguredPorts(path = 'firebase.json'): Promise<StackPorts> {
  return portsFromFirebaseJson(await readFile(path, 'utf8'), path);
}

/** A port the kernel just handed out; another process could still take it before we bind, which tests accept. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function freePorts(): Promise<StackPorts> {
  const ports = new Set<number>();
  while (ports.size < STACK_PARTS.length) ports.add(await freePort());
  const list = [...ports];
  return Object.fromEntries(STACK_PARTS.map((part, i) => [part, list[i]])) as StackPorts;
}

/** Resolves when nothing listens on the port, rejects with a readable reason when something does. */
export function assertPortFree(port: number, part: StackPart): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `${part}: port ${HOST}:${port} is already in use (another landfall stack still running? stop it, or change firebase.json)`
            : `${part}: cannot bind ${HOST}:${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, HOST, () => server.close(() => resolve()));
  });
}
