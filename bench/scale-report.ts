// The scale bench's figures: each run flattened to named numbers, their medians per backend, and the markdown tables.
import { ceilings, type Ceiling } from './scale-bill.js';
import type { Backend, RunResult } from './scale-run.js';
import { median } from './pipeline-trace.js';

/** Figure name → how it reads in the table, and how it is taken from a run (undefined: not measured there). */
const FIGURES: [string, string, (r: RunResult) => number | undefined][] = [
  ['loaded', 'files loaded', (r) => r.loaded],
  ['failed', 'files failed', (r) => r.failed],
  ['firstUploadToLastCommitMs', 'first upload → last commit (ms)', (r) => r.firstUploadToLastCommitMs],
  ['loadJobsPerFile', 'load jobs per file', (r) => r.perFile?.loadJobs],
  ['queryJobsPerFile', 'query jobs per file', (r) => r.perFile?.queryJobs],
  ['queryJobsWithChildrenPerFile', 'query jobs per file, child jobs counted', (r) => r.perFile?.queryJobsWithChildren],
  ['copyJobsPerFile', 'copy jobs per file', (r) => r.perFile?.copyJobs],
  ['peakDmlPer10sLoadMetadata', 'peak DML per 10 s, load_metadata', (r) => r.bill && (r.bill.peakDmlPer10s.load_metadata ?? 0)],
  ['peakDmlPer10sTargetTable', 'peak DML per 10 s, busiest target table', (r) => r.bill && Math.max(0, ...Object.entries(r.bill.peakDmlPer10s).filter(([t]) => t !== 'load_metadata').map(([, n]) => n))],
  ['mbBilledPerFile', 'MB billed per file', (r) => r.perFile?.mbBilled],
  ['lookupsInBurst', 'lookup queries during the burst (new files need none)', (r) => r.lookupsInBurst],
  ['lookupHistoryRowsAfterBurst', 'lookup: load_metadata rows (after the burst)', (r) => r.lookup?.afterBurst.historyRows],
  ['lookupBytesProcessedAfterBurst', 'lookup: bytes processed per lookup (after the burst)', (r) => r.lookup?.afterBurst.bytesProcessedPerLookup],
  ['lookupBytesBilledAfterBurst', 'lookup: bytes billed per lookup (after the burst)', (r) => r.lookup?.afterBurst.bytesBilledPerLookup],
  ['lookupHistoryRowsGrown', 'lookup: load_metadata rows (history grown)', (r) => r.lookup?.grown.historyRows],
  ['lookupBytesProcessedGrown', 'lookup: bytes processed per lookup (history grown)', (r) => r.lookup?.grown.bytesProcessedPerLookup],
  ['lookupBytesBilledGrown', 'lookup: bytes billed per lookup (history grown)', (r) => r.lookup?.grown.bytesBilledPerLookup],
  ['lookupsPerProbe', 'lookup: lookups in the probe after the burst (one per corrected file)', (r) => r.lookup && r.lookup.afterBurst.lookups],
  ['quotaErrors', 'quota errors answered by the gate', (r) => r.bill && Object.values(r.bill.quotaErrors).reduce((a, b) => a + b, 0)],
  ['loaderRetries', 'loader load_retry_in_process lines', (r) => r.loaderRetries],
  ['triggerPeakWritesPerSecond', 'Firestore: busiest doc, peak writes in 1 s', (r) => r.trigger.peakWritesPerSecond],
  ['triggerSustainedWritesPerSecond', 'Firestore: busiest doc, writes/s over the burst', (r) => r.trigger.sustainedWritesPerSecond],
  ['triggerBusiestDocWrites', 'Firestore: busiest doc, writes', (r) => r.trigger.busiestDocWrites],
  ['triggerRefusedCommits', 'Firestore: commits refused (lost races)', (r) => r.trigger.refusedCommits],
];

export type Figures = Record<string, number | null>;

export function medians(results: readonly RunResult[]): Partial<Record<Backend, Figures>> {
  const out: Partial<Record<Backend, Figures>> = {};
  for (const backend of new Set(results.map((r) => r.backend))) {
    const runs = results.filter((r) => r.backend === backend);
    out[backend] = Object.fromEntries(
      FIGURES.map(([name, , take]) => {
        const values = runs.map(take).filter((v): v is number => v !== undefined && Number.isFinite(v));
        return [name, values.length ? median(values) : null];
      }),
    );
  }
  return out;
}

/** Each quota's ceiling per run, and the median over the runs (BigQuery runs only). */
export function medianCeilings(results: readonly RunResult[], querySeconds: number): Ceiling[] {
  const per = results.filter((r) => r.perFile).map((r) => ceilings(r.perFile!, querySeconds));
  if (per.length === 0) return [];
  return per[0]!.map((c, i) => ({ ...c, filesPerDay: median(per.map((cs) => cs[i]?.filesPerDay ?? NaN)) }));
}

function show(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  if (!Number.isFinite(value)) return '∞';
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en') : value.toPrecision(3);
}

export function markdown(byBackend: Partial<Record<Backend, Figures>>, limits: readonly Ceiling[]): string {
  const backends = Object.keys(byBackend) as Backend[];
  const lines = [`| figure | ${backends.join(' | ')} |`, `|---|${backends.map(() => '---|').join('')}`];
  for (const [name, label] of FIGURES) lines.push(`| ${label} | ${backends.map((b) => show(byBackend[b]?.[name])).join(' | ')} |`);
  if (limits.length > 0) {
    lines.push('', '| BigQuery quota | files/day at the measured per-file figures | from |', '|---|---|---|');
    for (const c of limits) lines.push(`| ${c.quota} | ${show(c.filesPerDay)} | ${c.basis} |`);
  }
  return lines.join('\n');
}
