// Test helper: runs the main command (emulators/start.ts) as a child process, reads its lines, and proves it left no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const REPO = join(import.meta.dirname, '../../..');

export interface MainCommand {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects after `timeoutMs` with the output so far. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  exited: Promise<number | string>;
  /** Every live process that inherited this run's marker (the command, its emulators and functions). */
  processes(): number[];
  /** Ctrl-C, then waits; SIGKILLs the marked processes (by pid) only when the command did not stop them. */
  stop(): Promise<number | string>;
}

/** Pids of live processes whose environment holds `name=value`; every child of the command inherits it. */
function markedProcesses(name: string, value: string): number[] {
  const needle = `\0${name}=${value}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (`\0${readFileSync(`/proc/${entry}/environ`, 'utf8')}`.includes(needle)) found.push(Number(entry));
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return found;
}

export function runMainCommand(args: string[], env: Record<string, string>): MainCommand {
  const mark = randomUUID();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, LANDFALL_TEST_RUN: mark };
  // Set by node --test for its own children; the command is not a test file.
  delete childEnv.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulators/start.ts', ...args], {
    cwd: REPO,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const take = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const processes = () => markedProcesses('LANDFALL_TEST_RUN', mark);
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = text.split('\n').find((l) => pattern.test(l));
        if (line === undefined) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const give = new AbortController();
    const code = await Promise.race([exited, sleep(60_000, 'timeout' as const, { signal: give.signal }).catch(() => 'aborted' as const)]);
    give.abort();
    if (code === 'timeout') for (const pid of processes()) process.kill(pid, 'SIGKILL');
    return exited;
  };
  return { child, output: () => text, waitFor, exited, processes, stop };
}
