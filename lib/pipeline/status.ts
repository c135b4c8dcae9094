// What `landfall status` shows: one row per tracked file and per unmatched object, built from the documents.
import type { FileDoc } from './file-doc.js';
import { identityOf, overdueWait } from './file-doc.js';
import type { UnmatchedRecord } from './ports.js';
import type { TableMapping } from '../config/mapping.js';

export interface StatusRow {
  kind: 'file' | 'unmatched';
  state: string;
  table: string | null;
  batchKey: string | null;
  file: string | null;
  goFile: string | null;
  /** Seconds since the state was entered (for `waiting`: how long it has waited). */
  ageSeconds: number;
  waitingFor: string | null;
  rows: number | null;
  loadId: string | null;
  error: string | null;
  /** Waiting longer than its mapping's max_wait (what the sweep reports as file_overdue). */
  overdue: boolean;
}

function seconds(from: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 1000));
}

function waitingFor(doc: FileDoc): string | null {
  if (doc.state !== 'waiting') return null;
  if (doc.current.data === null) return 'the data file';
  return doc.needsGo && doc.current.go === null ? 'the go file' : null;
}

export function statusRows(docs: readonly FileDoc[], unmatched: readonly UnmatchedRecord[], now: Date, mappings: readonly TableMapping[] = []): StatusRow[] {
  const files = docs.map((doc): StatusRow => {
    const { data, go } = doc.current;
    const terminal = doc.state === 'loaded' || doc.state === 'failed';
    return {
      kind: 'file',
      state: doc.state,
      table: doc.table,
      batchKey: doc.batchKey,
      file: data ? identityOf(data).name : null,
      goFile: go ? identityOf(go).name : null,
      ageSeconds: seconds(doc.stateSince, now),
      waitingFor: waitingFor(doc),
      rows: terminal ? (doc.result?.rows ?? null) : null,
      loadId: terminal ? (doc.result?.loadId ?? null) : (doc.claim?.loadId ?? null),
      error: doc.state === 'failed' ? (doc.result?.error ?? null) : null,
      overdue: (doc.state === 'waiting' && doc.overdue?.round === doc.round) || overdueWait(doc, mappings, now) !== undefined,
    };
  });
  const others = unmatched.map(
    (u): StatusRow => ({
      kind: 'unmatched',
      state: 'unmatched',
      table: null,
      batchKey: null,
      file: `${u.bucket}/${u.name}`,
      goFile: null,
      ageSeconds: seconds(u.firstSeenAt, now),
      waitingFor: null,
      rows: null,
      loadId: null,
      error: 'no table mapping claims this file name',
      overdue: false,
    }),
  );
  const byKey = (r: StatusRow) => `${r.kind}\u0000${r.table ?? ''}\u0000${r.batchKey ?? ''}\u0000${r.file ?? ''}`;
  return [...files, ...others].sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1));
}

function age(secondsOld: number): string {
  if (secondsOld < 120) return `${secondsOld}s`;
  if (secondsOld < 7200) return `${Math.round(secondsOld / 60)}m`;
  return `${Math.round(secondsOld / 3600)}h`;
}

/** A plain table for a terminal. */
export function formatStatus(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return 'no files tracked yet';
  const header = ['STATE', 'TABLE', 'BATCH KEY', 'FILE', 'AGE', 'ROWS', 'OVERDUE', 'DETAIL'];
  const body = rows.map((r) => [
    r.state,
    r.table ?? '-',
    r.batchKey ?? '-',
    r.file ?? '-',
    age(r.ageSeconds),
    r.rows === null ? '-' : String(r.rows),
    r.overdue ? 'yes' : '-',
    r.error ?? (r.waitingFor ? `waiting ${age(r.ageSeconds)} for ${r.waitingFor}` : ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [header, ...body].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
