// The stack's pure helpers (no emulator started): ports from firebase.json, finding the functions a source provides.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTopology } from '../../../lib/config/topology.js';
import { detectFunctions } from '../../../emulators/parts.js';
import { assertPortFree, freePort, portsFromFirebaseJson } from '../../../emulators/ports.js';
import { createServer } from 'node:net';

describe('portsFromFirebaseJson', () => {
  it('reads the emulators block; the functions port and the next ones go to matcher, loader, dbtTrigger, sweep, then the relay, the BigQuery emulator and its quota gate', () => {
    assert.deepEqual(portsFromFirebaseJson(readFileSync('firebase.json', 'utf8')), {
      pubsub: 8085,
      firestore: 8086,
      storage: 9199,
      matcher: 5001,
      loader: 5002,
      dbtTrigger: 5003,
      sweep: 5004,
      relay: 5005,
      bigquery: 5006,
      quotaGate: 5007,
    });
  });

  it('names the entry that is missing or not a port', () => {
    const text = JSON.stringify({ emulators: { pubsub: { port: 1 }, firestore: { port: 'x' }, storage: { port: 3 }, functions: { port: 4 } } });
    assert.throws(() => portsFromFirebaseJson(text, 'f.json'), /f\.json: emulators\.firestore\.port must be a port number, got "x"/);
  });
});

describe('assertPortFree', () => {
  it('says which part wants a port that is taken', async () => {
    const port = await freePort();
    const server = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await assert.rejects(assertPortFree(port, 'pubsub'), new RegExp(`pubsub: port 127.0.0.1:${port} is already in use`));
    } finally {
      server.close();
    }
    await assertPortFree(port, 'pubsub');
  });
});

describe('detectFunctions', () => {
  it('finds cloudEvent registrations and exports named like the entry points, also in relative imports', async () => {
    const topology = await loadTopology('config/topology.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'landfall-detect-'));
    try {
      writeFileSync(join(dir, 'loader.ts'), "export async function loader() {}\n");
      writeFileSync(
        join(dir, 'index.ts'),
        "import { cloudEvent } from '@google-cloud/functions-framework';\nimport { loader } from './loader.js';\ncloudEvent<unknown>('matcher', () => {});\n",
      );
      assert.deepEqual(await detectFunctions(join(dir, 'index.ts'), topology), ['matcher', 'loader']);
      assert.deepEqual(await detectFunctions(join(dir, 'missing.ts'), topology), []);
      assert.deepEqual(await detectFunctions('test/fixtures/functions/recorder.ts', topology), ['matcher', 'loader', 'dbtTrigger']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
