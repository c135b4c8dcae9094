// Keeps track of the stack's running parts: start one and wait until healthy, stop it, kill it, stop all.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { healthCheck, StackError, waitHealthy } from './health.js';
import { ownerMark } from './orphans.js';
import { partSpec, REPO_ROOT, type PartContext } from './parts.js';
import type { StackPart } from './ports.js';
import { signalGroup, spawnGroup, stopGroup, type GroupProcess } from './processes.js';

export interface SupervisorOptions {
  ctx: PartContext;
  startTimeoutMs: number;
  log: (line: string) => void;
}

export class Supervisor {
  private readonly running = new Map<StackPart, GroupProcess>();
  /** Parts taken down on purpose (stop, kill): their exit is not news. */
  private readonly downOnPurpose = new Set<StackPart>();
  private readonly killAllNow = (): void => {
    for (const proc of this.running.values()) signalGroup(proc.pid, 'SIGKILL');
  };

  constructor(private readonly options: SupervisorOptions) {
    // Last resort when the owner exits without stop() (an uncaught error): no emulator outlives it.
    process.on('exit', this.killAllNow);
  }

  pid(part: StackPart): number | undefined {
    return this.running.get(part)?.pid;
  }

  pids(): number[] {
    return [...this.running.values()].map((proc) => proc.pid);
  }

  logPath(part: StackPart): string {
    return partSpec(part, this.options.ctx).logPath;
  }

  /** Spawns the part in its own process group and resolves once its health check passes. */
  async start(part: StackPart): Promise<void> {
    if (this.running.get(part)?.hasExited() === false) throw new StackError(part, 'is already running');
    const spec = partSpec(part, this.options.ctx);
    mkdirSync(dirname(spec.logPath), { recursive: true });
    const proc = spawnGroup(part, { ...spec, env: { ...spec.env, ...ownerMark(this.options.ctx.workDir) }, cwd: REPO_ROOT });
    this.running.set(part, proc);
    this.downOnPurpose.delete(part);
    const { ports, topology } = this.options.ctx;
    await waitHealthy(part, proc, healthCheck(part, ports[part], topology.project), this.options.startTimeoutMs);
    // From here on an exit nobody asked for is news (during start-up, waitHealthy reports it).
    void proc.exited.then((code) => {
      if (this.running.get(part) === proc && !this.downOnPurpose.has(part)) {
        this.options.log(`stack: ${part} exited unexpectedly (exit ${code}); its log: ${proc.logPath}`);
      }
    });
  }

  async stop(part: StackPart): Promise<void> {
    const proc = this.running.get(part);
    if (!proc) return;
    this.downOnPurpose.add(part);
    await stopGroup(proc);
    this.running.delete(part);
  }

  /** Signals the part's whole process group; the part stays down until started again. */
  kill(part: StackPart, signal: NodeJS.Signals = 'SIGKILL'): void {
    const proc = this.running.get(part);
    if (!proc) throw new StackError(part, 'is not running: nothing to kill');
    this.downOnPurpose.add(part);
    signalGroup(proc.pid, signal);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((part) => this.stop(part)));
    process.off('exit', this.killAllNow);
  }

  /** Synchronous SIGKILL to every group: for a second Ctrl-C, when there is no time to stop politely. */
  killAll(): void {
    for (const part of this.running.keys()) this.downOnPurpose.add(part);
    this.killAllNow();
  }
}
