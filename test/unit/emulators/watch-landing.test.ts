// The landing-folder watcher: each dropped file is handed over once, only after it stopped growing.
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isTemporaryName, watchLanding, type DroppedFile, type LandingWatcher } from '../../../emulators/watch-landing.js';

const STABLE_MS = 500;

describe('watchLanding', () => {
  let root: string;
  let dir: string;
  let clock: number;
  let uploads: DroppedFile[];
  let watcher: LandingWatcher | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'landfall-watch-'));
    dir = join(root, 'landing');
    clock = 1_000_000;
    uploads = [];
  });

  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await rm(root, { recursive: true, force: true });
  });

  // The timer is set far out so each test steps the watcher by hand with its own clock.
  async function start(upload?: (file: DroppedFile) => Promise<void>, onError?: (file: DroppedFile, error: unknown) => void) {
    watcher = await watchLanding({
      dir,
      pollMs: 3_600_000,
      stableMs: STABLE_MS,
      now: () => clock,
      upload: upload ?? (async (file) => void uploads.push(file)),
      ...(onError ? { onError } : {}),
    });
    return watcher;
  }

  async function step(ms: number) {
    clock += ms;
    await watcher!.scan();
  }

  it('creates the folder when it is missing', async () => {
    await start();
    assert.equal((await stat(dir)).isDirectory(), true);
  });

  it('hands a dropped file over once, after it has been stable for stableMs', async () => {
    await start();
    await writeFile(join(dir, 'trades_20240115.csv'), 'a,b\n1,2\n');
    await step(0);
    assert.equal(uploads.length, 0, 'not before it has been seen stable');
    await step(STABLE_MS - 1);
    assert.equal(uploads.length, 0, 'not before stableMs');
    await step(1);
    assert.deepEqual(
      uploads.map((u) => [u.relativePath, u.size]),
      [['trades_20240115.csv', 8]],
    );
    for (let i = 0; i < 5; i += 1) await step(STABLE_MS);
    assert.equal(uploads.length, 1, 'never twice for the same content');
  });

  it('waits while a file is still being written, then hands over the whole file', async () => {
    await start();
    const path = join(dir, 'big.csv');
    await writeFile(path, 'h\n');
    await step(0);
    for (let i = 0; i < 4; i += 1) {
      await appendFile(path, `${'x'.repeat(100)}\n`);
      await step(STABLE_MS - 100);
      assert.equal(uploads.length, 0, `still growing at step ${i}`);
    }
    await step(STABLE_MS - 1);
    assert.equal(uploads.length, 0, 'the wait restarts at the last change');
    await step(1);
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0]!.size, 2 + 4 * 101);
  });

  it('leaves files that were there before it started alone until they change', async () => {
    await mkdir(join(dir, 'old'), { recursive: true });
    await writeFile(join(dir, 'old', 'x.csv'), 'a\n');
    await writeFile(join(dir, 'y.csv'), 'a\n');
    const w = await start();
    assert.deepEqual(w.existing, ['old/x.csv', 'y.csv']);
    await step(STABLE_MS);
    await step(STABLE_MS);
    assert.equal(uploads.length, 0);
    const later = new Date(Date.now() + 10_000);
    await utimes(join(dir, 'y.csv'), later, later);
    await step(0);
    await step(STABLE_MS);
    assert.deepEqual(
      uploads.map((u) => u.relativePath),
      ['y.csv'],
    );
  });

  it('keeps the folder path below the landing folder in the name', async () => {
    await start();
    await mkdir(join(dir, 'desk_a', 'eu'), { recursive: true });
    await writeFile(join(dir, 'desk_a', 'eu', 'trades_1.csv'), 'a\n');
    await step(0);
    await step(STABLE_MS);
    assert.deepEqual(
      uploads.map((u) => u.relativePath),
      ['desk_a/eu/trades_1.csv'],
    );
  });

  it('ignores temporary and hidden names, and takes the file once renamed', async () => {
    await start();
    await writeFile(join(dir, 'trades_1.csv.part'), 'a\n');
    await writeFile(join(dir, '.~lock.trades_1.csv#'), 'x');
    await writeFile(join(dir, 'notes.txt~'), 'x');
    await step(0);
    await step(STABLE_MS);
    assert.equal(uploads.length, 0);
    await rename(join(dir, 'trades_1.csv.part'), join(dir, 'trades_1.csv'));
    await step(0);
    await step(STABLE_MS);
    assert.deepEqual(
      uploads.map((u) => u.relativePath),
      ['trades_1.csv'],
    );
  });

  it('uploads a file again when it is removed and dropped again, or rewritten', async () => {
    await start();
    const path = join(dir, 'a.csv');
    await writeFile(path, 'one\n');
    await step(0);
    await step(STABLE_MS);
    await rm(path);
    await step(0);
    await writeFile(path, 'one\n');
    await step(0);
    await step(STABLE_MS);
    assert.equal(uploads.length, 2, 'dropped again');
    await writeFile(path, 'one\ntwo\n');
    await step(0);
    await step(STABLE_MS);
    assert.equal(uploads.length, 3, 'rewritten with new content');
    assert.equal(uploads[2]!.size, 8);
  });

  it('reports a failed upload and does not retry it until the file changes', async () => {
    const errors: string[] = [];
    let attempts = 0;
    await start(
      async () => {
        attempts += 1;
        throw new Error('storage is down');
      },
      (file, error) => errors.push(`${file.relativePath}: ${(error as Error).message}`),
    );
    await writeFile(join(dir, 'a.csv'), 'x\n');
    await step(0);
    await step(STABLE_MS);
    await step(STABLE_MS);
    await watcher!.close();
    assert.equal(attempts, 1);
    assert.deepEqual(errors, ['a.csv: storage is down']);
  });

  it('close waits for an upload in flight', async () => {
    let finished = false;
    await start(async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    await writeFile(join(dir, 'a.csv'), 'x\n');
    await step(0);
    await step(STABLE_MS);
    await watcher!.close();
    assert.equal(finished, true);
  });

  it('scans on its own timer', async () => {
    const got = new Promise<DroppedFile>((resolve) => {
      void watchLanding({ dir, pollMs: 20, stableMs: 60, upload: async (file) => resolve(file) }).then((w) => (watcher = w));
    });
    await new Promise((r) => setTimeout(r, 30));
    await writeFile(join(dir, 'late.csv'), 'x\n');
    const file = await got;
    assert.equal(file.relativePath, 'late.csv');
  });
});

describe('isTemporaryName', () => {
  it('knows the names editors and downloads use while writing', () => {
    for (const name of ['.hidden.csv', 'a.csv~', 'a.csv.tmp', 'a.csv.part', 'a.csv.crdownload', '.a.csv.swp', 'a.PART']) {
      assert.equal(isTemporaryName(name), true, name);
    }
    for (const name of ['a.csv', 'trades_20240115.go', 'positions_1.ctl', 'x.csv.gz']) {
      assert.equal(isTemporaryName(name), false, name);
    }
  });
});
