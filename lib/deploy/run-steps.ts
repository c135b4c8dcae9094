// Runs deploy steps one after another, feeding captured outputs into later commands; stops at the first failure.
import { spawn } from 'node:child_process';
import type { DeployStep } from './gcloud.js';
import { substitute } from './gcloud.js';

/** Runs one command; resolves with its stdout, rejects when it exits non-zero. */
export type StepRunner = (argv: readonly string[], capture: boolean) => Promise<string>;

export const spawnStep: StepRunner = (argv, capture) =>
  new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    if (command === undefined) return reject(new Error('empty deploy step'));
    // No shell: arguments go to gcloud exactly as generated, never re-parsed.
    const child = spawn(command, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${argv.slice(0, 4).join(' ')} exited with ${code}`))));
  });

export async function runSteps(steps: readonly DeployStep[], run: StepRunner = spawnStep, log = console.error): Promise<void> {
  const values = new Map<string, string>();
  for (const step of steps) {
    const argv = step.argv.map((arg) => substitute(arg, values));
    log(`# ${step.why}\n${argv.join(' ')}`);
    const out = await run(argv, step.capture !== undefined);
    if (step.capture !== undefined) {
      if (out === '') throw new Error(`${argv.slice(0, 4).join(' ')} printed nothing; ${step.capture} is needed by later steps`);
      values.set(step.capture, out);
    }
  }
}
