// Where the pipeline benchmark's time goes: per-file stage times from the functions' JSON logs, and percentiles.
import { readFile } from 'node:fs/promises';

/** What is known about one file's way through the pipeline, all as epoch milliseconds. */
export interface FileTrace {
  batchKey: string;
  uploadStartMs: number;
  /** Arrival: the upload call returned (the object is finalized). */
  uploadedMs: number;
  /** Commit: `load_metadata.completed_at` (the loader's clock, inside the warehouse transaction). */
  committedMs?: number;
  /** The load event reached the benchmark's pull subscription. */
  eventMs?: number;
  status?: string;
  matchedMs?: number;
  requestedMs?: number;
  claimedMs?: number;
  finishedMs?: number;
}

export const STAGES = [
  ['upload → matched', 'uploadedMs', 'matchedMs'],
  ['matched → requested', 'matchedMs', 'requestedMs'],
  ['requested → claimed', 'requestedMs', 'claimedMs'],
  ['claimed → committed', 'claimedMs', 'committedMs'],
  // The loader moves the parts, tells the load event, then writes the round finished (and logs it).
  ['committed → event seen', 'committedMs', 'eventMs'],
  ['committed → finished', 'committedMs', 'finishedMs'],
] as const satisfies readonly (readonly [string, keyof FileTrace, keyof FileTrace])[];

interface LogLine {
  time?: string;
  event?: string;
  batchKey?: string;
}

/** Reads `time` of the events the matcher and loader log per file into the traces (keyed by batch key). */
export async function readStageTimes(traces: Map<string, FileTrace>, matcherLog: string, loaderLog: string): Promise<void> {
  const fields: Record<string, keyof FileTrace> = {
    'matcher:arrival_ready': 'matchedMs',
    'matcher:load_requested': 'requestedMs',
    'loader:load_claimed': 'claimedMs',
    'loader:load_loaded': 'finishedMs',
    'loader:load_failed': 'finishedMs',
  };
  for (const [component, path] of [['matcher', matcherLog], ['loader', loaderLog]] as const) {
    for (const text of (await readFile(path, 'utf8')).split('\n')) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as LogLine;
      const field = fields[`${component}:${line.event}`];
      const trace = line.batchKey === undefined ? undefined : traces.get(line.batchKey);
      if (field && trace && line.time && (trace[field] === undefined || field === 'finishedMs')) {
        (trace as unknown as Record<string, number>)[field] = Date.parse(line.time);
      }
    }
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Summary {
  n: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1] ?? NaN };
}

/** Latency of each stage over the files that have both ends. */
export function stageSummaries(traces: readonly FileTrace[]): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  for (const [label, from, to] of STAGES) {
    const values = traces.flatMap((t) => (typeof t[from] === 'number' && typeof t[to] === 'number' ? [(t[to] as number) - (t[from] as number)] : []));
    out[label] = summarize(values);
  }
  return out;
}

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A plain text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '-');
