// Child processes of the stack, each the leader of its own process group, so stopping one stops its children too.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
  cwd?: string;
}

export interface GroupProcess {
  readonly name: string;
  /** The leader's pid, which is also the process group id. */
  readonly pid: number;
  readonly logPath: string;
  /** Resolves with the leader's exit code (or signal name) when it exits. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
}

/**
 * Starts `spec` detached (setsid), so it leads a new process group: the gcloud emulators are a Python wrapper
 * that starts a Java child, and signalling the group reaches both.
 */
export function spawnGroup(name: string, spec: SpawnSpec): GroupProcess {
  const logFd = openSync(spec.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      env: spec.env,
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      done = true;
      resolve(`spawn failed: ${error.message}`);
    });
  });
  if (child.pid === undefined) {
    return { name, pid: -1, logPath: spec.logPath, exited, hasExited: () => true };
  }
  return { name, pid: child.pid, logPath: spec.logPath, exited, hasExited: () => done };
}

/** Live (non-zombie) members of a process group, read from /proc; zombies hold no port and need no signal. */
export function groupMembers(pgid: number): number[] {
  if (pgid <= 0) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** SIGTERM to the whole group, then SIGKILL to whatever is still there after `graceMs`. */
export async function stopGroup(proc: GroupProcess, graceMs = 5000): Promise<void> {
  signalGroup(proc.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupMembers(proc.pid).length > 0) {
    if (Date.now() > deadline) {
      signalGroup(proc.pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  const killDeadline = Date.now() + graceMs;
  while (groupMembers(proc.pid).length > 0) {
    if (Date.now() > killDeadline) {
      throw new Error(`${proc.name}: process group ${proc.pid} survived SIGKILL: ${groupMembers(proc.pid).join(', ')}`);
    }
    await sleep(20);
  }
  await proc.exited;
}

/** The end of a part's log, for error messages that say why it failed. */
export async function logTail(logPath: string, lines = 20): Promise<string> {
  try {
    const text = await readFile(logPath, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
