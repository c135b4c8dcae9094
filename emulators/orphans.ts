// Finds and ends stack processes whose owner died without stopping them (SIGKILL, a crash), by a mark in their env.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, signalGroup } from './processes.js';

const DIR_VAR = 'LANDFALL_STACK_DIR';
const OWNER_VAR = 'LANDFALL_STACK_OWNER';

/** The env every stack process carries (children inherit it: the Java under gcloud too). */
export function ownerMark(workDir: string): Record<string, string> {
  return { [DIR_VAR]: workDir, [OWNER_VAR]: String(process.pid) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readMark(pid: string): { dir?: string; owner?: number; pgid: number; state: string } | undefined {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const value = (name: string) => env.find((entry) => entry.startsWith(`${name}=`))?.slice(name.length + 1);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const owner = value(OWNER_VAR);
    return { dir: value(DIR_VAR), owner: owner === undefined ? undefined : Number(owner), pgid: Number(pgrp), state };
  } catch {
    return undefined;
  }
}

export interface MarkedProcess {
  pid: number;
  pgid: number;
  owner: number;
}

/** Live processes started by a stack in `workDir` (zombies excluded), whoever owns them. */
export function markedProcesses(workDir: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const mark = readMark(entry);
    if (mark?.dir === workDir && mark.owner !== undefined && mark.state !== 'Z') {
      found.push({ pid: Number(entry), pgid: mark.pgid, owner: mark.owner });
    }
  }
  return found;
}

/**
 * Kills the process groups of stacks that ran in `workDir` and whose owner is gone. A stack whose owner still
 * runs is left alone (another person's stack in the same clone fails on its ports instead, with a clear message).
 */
export async function reapOrphans(workDir: string): Promise<number> {
  const groups = new Set(markedProcesses(workDir).filter((p) => !alive(p.owner)).map((p) => p.pgid));
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  const deadline = Date.now() + 5000;
  while ([...groups].some((pgid) => groupMembers(pgid).length > 0) && Date.now() < deadline) await sleep(20);
  return groups.size;
}
