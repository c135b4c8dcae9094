// terraform/ passes `terraform fmt -check` and `terraform validate` against the real google provider (terraform/validate.sh).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

// The first run on a machine builds the provider from source (minutes); later runs reuse .cache/ and Go's build cache.
const BUILD_TIMEOUT_MS = 45 * 60 * 1000;

test('terraform/ is formatted and valid against the real google provider', { timeout: BUILD_TIMEOUT_MS }, async () => {
  const { stdout, stderr } = await promisify(execFile)('bash', ['terraform/validate.sh'], { maxBuffer: 16 * 1024 * 1024, timeout: BUILD_TIMEOUT_MS });
  assert.match(stdout, /Success! The configuration is valid\./, stderr);
  assert.match(stderr, /google provider \d+\.\d+\.\d+/);
});
