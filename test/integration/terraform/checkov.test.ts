// terraform/ passes checkov (PyPI, offline, from .cache/checkov-venv): no failed check in any framework, and every
// check skipped in the source says why.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';

interface Report {
  check_type: string;
  summary: { passed: number; failed: number; skipped: number };
  results: { failed_checks: { check_id: string; resource: string; file_path: string }[] };
}

test('checkov finds no failed check in terraform/, and each skip carries a reason', { timeout: 300_000 }, async () => {
  // Exit status 1 means failed checks: read the report either way.
  const { stdout } = await promisify(execFile)('.cache/checkov-venv/bin/checkov', ['-d', 'terraform', '--compact', '--quiet', '--skip-download', '-o', 'json'], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const parsed = JSON.parse(stdout) as Report | Report[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  const terraform = reports.find((r) => r.check_type === 'terraform');
  assert.ok(terraform && terraform.summary.passed > 50, `the terraform framework ran: ${JSON.stringify(reports.map((r) => [r.check_type, r.summary]))}`);
  const failed = reports.flatMap((r) => r.results.failed_checks.map((f) => `${f.check_id} ${f.resource} (${f.file_path})`));
  assert.deepEqual(failed, []);
  for (const file of (await readdir('terraform')).filter((f) => f.endsWith('.tf'))) {
    for (const skip of (await readFile(`terraform/${file}`, 'utf8')).matchAll(/checkov:skip=([A-Z_0-9]+)(:?)(.*)/g)) {
      assert.ok(skip[2] === ':' && skip[3]!.trim().length > 20, `${file}: ${skip[1]} is skipped without a reason`);
    }
  }
});
