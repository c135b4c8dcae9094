// CPU seconds each part of the local stack spent in a window: where a CPU-bound burst's time goes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { STACK_PARTS, type Stack, type StackPart } from '../emulators/stack.js';
import { groupMembers } from '../emulators/processes.js';
import { ms, table } from './pipeline-trace.js';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime of one process, its reaped children included (the gcloud wrapper's Java child is a live member). */
function processSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(11) stime cutime cstime(14)
    return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / TICKS_PER_SECOND;
  } catch {
    return 0; // it ended while we looked
  }
}

export type CpuSample = Partial<Record<StackPart | 'bench', number>>;

/** CPU seconds so far of each running part's process group, and of this (the uploading) process. */
export function sampleCpu(stack: Stack): CpuSample {
  const sample: CpuSample = {};
  for (const part of STACK_PARTS) {
    const pgid = stack.pid(part);
    if (pgid !== undefined) sample[part] = groupMembers(pgid).reduce((sum, pid) => sum + processSeconds(pid), 0);
  }
  const own = process.cpuUsage();
  sample.bench = (own.user + own.system) / 1e6;
  return sample;
}

export interface CpuUse {
  parts: Record<string, number>;
  totalSeconds: number;
  cores: number;
}

/** Seconds each part spent between two samples, largest first, with the total. */
export function cpuBetween(before: CpuSample, after: CpuSample): CpuUse {
  const parts = Object.fromEntries(
    Object.entries(after)
      .map(([part, seconds]) => [part, Math.round(((seconds ?? 0) - (before[part as keyof CpuSample] ?? 0)) * 10) / 10] as const)
      .sort((a, b) => b[1] - a[1]),
  );
  const totalSeconds = Math.round(Object.values(parts).reduce((a, b) => a + b, 0) * 10) / 10;
  return { parts, totalSeconds, cores: cpus().length };
}

/** The parts' CPU seconds and per file, with the wall time their total allows on this machine's cores. */
export function cpuReport(title: string, cpu: CpuUse, files: number): string {
  const row = (part: string, seconds: number) => [part, `${seconds.toFixed(1)} s`, `${((1000 * seconds) / files).toFixed(1)} ms`];
  const rows = [...Object.entries(cpu.parts).map(([part, seconds]) => row(part, seconds)), row('total', cpu.totalSeconds)];
  const floor = `${cpu.totalSeconds.toFixed(1)} CPU-s on ${cpu.cores} cores: no less than ${ms((1000 * cpu.totalSeconds) / cpu.cores)} of wall`;
  return `${title} (${floor}):\n${table(['part', 'CPU', 'per file'], rows)}`;
}
