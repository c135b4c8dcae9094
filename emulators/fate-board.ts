// What became of each file uploaded here: pairs uploads with load events and dead letters, and says it in one line.
import type { TableMapping } from '../lib/config/index.js';
import { classify, companionGoName, dataNameOf } from '../lib/match/index.js';
import { folderOf, objectKey, relativeName, type LoadEvent, type ObjectRef } from '../lib/pipeline/index.js';

export interface Uploaded extends ObjectRef {
  /** When the upload call returned (the object exists: it has been finalized). */
  atMs: number;
}

export const FATES = ['loaded', 'failed', 'skipped', 'superseded', 'dead-lettered'] as const;
export type Fate = (typeof FATES)[number];

interface DataUpload {
  ref: ObjectRef;
  table: string;
  /** Pairs with a go file in the same folder only, as the matcher does. */
  folder: string;
  batchKey: string;
  needsGo: boolean;
  atMs: number;
  fate?: Fate;
}

/** A dead-lettered message, as the dead-letter pull subscription hands it over. */
export interface DeadLetter {
  data: Buffer;
  attributes: Record<string, string>;
}

const MIN_NAME_WIDTH = 26;

export class FateBoard {
  private readonly data = new Map<string, DataUpload>();
  // (table, folder, batch key) → when its go file was uploaded here
  private readonly goAt = new Map<string, number>();
  private readonly seenEvents = new Set<string>();
  private width = MIN_NAME_WIDTH;

  /** `landingPrefix` is left out of the names shown: a file reads as its path, `day1/trades_1.csv`. */
  constructor(
    private readonly mappings: readonly TableMapping[],
    private readonly landingPrefix = '',
  ) {}

  /** Widens the name column up front, so the lines of a known set of files line up. */
  expectNames(names: readonly string[]): void {
    for (const name of names) this.width = Math.max(this.width, this.shown(name).length + 2);
  }

  private shown(name: string): string {
    return relativeName(name, this.landingPrefix);
  }

  /**
   * Records files uploaded together (a data file with its go file) and returns the lines worth saying now:
   * no mapping claims a file, or a file waits for its other half.
   */
  uploaded(files: readonly Uploaded[]): string[] {
    const lines: string[] = [];
    const kinds = files.map((file) => ({ file, found: classify(file.name, this.mappings) }));
    for (const { file, found } of kinds) {
      if (found === undefined) {
        lines.push(this.line(file.name, '? matches no table mapping in config/tables: left in the landing bucket'));
      } else if (found.role === 'go') {
        this.goAt.set(pairKey(found.mapping.table, folderOf(file.name), found.batchKey), file.atMs);
      } else {
        const { mapping, batchKey } = found;
        const ref = { bucket: file.bucket, name: file.name, generation: file.generation };
        const upload = { ref, table: mapping.table, folder: folderOf(file.name), batchKey, needsGo: mapping.goFile !== undefined, atMs: file.atMs };
        this.data.set(objectKey(ref), upload);
      }
    }
    for (const { file, found } of kinds) {
      if (found === undefined) continue;
      const waiting = this.waitingFor(found.mapping, found.role, folderOf(file.name), found.batchKey);
      if (waiting) lines.push(this.line(file.name, `… waiting for ${waiting}`));
    }
    return lines;
  }

  private waitingFor(mapping: TableMapping, role: 'data' | 'go', folder: string, batchKey: string): string | undefined {
    const key = pairKey(mapping.table, folder, batchKey);
    if (role === 'data') {
      return mapping.goFile !== undefined && !this.goAt.has(key) ? companionGoName(mapping, batchKey) : undefined;
    }
    const hasData = [...this.data.values()].some((d) => pairKey(d.table, d.folder, d.batchKey) === key && d.fate === undefined);
    return hasData ? undefined : dataNameOf(mapping, batchKey);
  }

  /** The line for a load event; events repeated by redelivery are said once (undefined). */
  event(event: LoadEvent, atMs: number): string | undefined {
    const seen = `${event.loadId}:${event.status}:${event.file}`;
    if (this.seenEvents.has(seen)) return undefined;
    this.seenEvents.add(seen);
    // `file` is objectKey() of where the data file landed, the same key its upload was recorded under.
    const upload = this.data.get(event.file);
    const name = upload?.ref.name ?? nameInUri(event.file);
    let took: string;
    if (upload === undefined) took = pipelineTime(event, 'uploaded elsewhere');
    else if (upload.fate !== undefined) took = pipelineTime(event, 'again: a replay or redelivery');
    else {
      took = `  ${Math.max(0, Math.round(atMs - this.completeAt(upload)))} ms`;
      upload.fate = event.status;
    }
    switch (event.status) {
      case 'loaded':
        return this.line(name, `→ ${event.table}  ${event.rows} ${event.rows === 1 ? 'row' : 'rows'}${took}`);
      case 'skipped':
        return this.line(name, `↷ ${event.table}: skipped, an earlier attempt already loaded it${took}`);
      case 'failed':
        return this.line(name, `✗ failed: ${event.error ?? 'no reason given'}${took}`);
      case 'superseded':
        return this.line(name, `↷ superseded: a newer upload replaced it before it was loaded${took}`);
    }
  }

  /** A message that exhausted its retries: the file it was about fails, and the line says where to look. */
  deadLetter(message: DeadLetter): string {
    const about = aboutOf(message);
    const reason = message.attributes.landfallReason ?? 'every delivery attempt failed (see the function logs above)';
    const attempts = message.attributes.CloudPubSubDeadLetterSourceDeliveryCount;
    const text = `✗ dead-lettered${attempts ? ` after ${attempts} attempts` : ''}: ${reason}`;
    if (about === undefined) return this.line('(message)', text);
    const upload = this.data.get(objectKey(about)) ?? this.dataForGo(about.name);
    if (upload && upload.fate === undefined) upload.fate = 'dead-lettered';
    return this.line(about.name, text);
  }

  private dataForGo(name: string): DataUpload | undefined {
    const found = classify(name, this.mappings);
    if (found?.role !== 'go') return undefined;
    const key = pairKey(found.mapping.table, folderOf(name), found.batchKey);
    return [...this.data.values()].find((d) => pairKey(d.table, d.folder, d.batchKey) === key && d.fate === undefined);
  }

  /** From upload to commit: the clock starts when the file was complete (its go file too, when it needs one). */
  private completeAt(upload: DataUpload): number {
    const go = upload.needsGo ? this.goAt.get(pairKey(upload.table, upload.folder, upload.batchKey)) : undefined;
    return go === undefined ? upload.atMs : Math.max(go, upload.atMs);
  }

  /** Data files uploaded here with no fate yet (their paths). */
  outstanding(): string[] {
    return [...this.data.values()].filter((d) => d.fate === undefined).map((d) => this.shown(d.ref.name));
  }

  /** Each data file uploaded here, with its fate (undefined while none is known). */
  fates(): { name: string; table: string; batchKey: string; fate: Fate | undefined }[] {
    return [...this.data.values()].map((d) => ({ name: this.shown(d.ref.name), table: d.table, batchKey: d.batchKey, fate: d.fate }));
  }

  line(name: string, text: string): string {
    return `${this.shown(name).padEnd(this.width)}${text}`;
  }
}

function pairKey(table: string, folder: string, batchKey: string): string {
  return `${table}\u0000${folder}\u0000${batchKey}`;
}

/** A load this command did not time itself: the pipeline's own arrival-to-commit time, when the event carries it. */
function pipelineTime(event: LoadEvent, note: string): string {
  const ms = Date.parse(event.finishedAt ?? '') - Date.parse(event.arrivedAt ?? '');
  return Number.isFinite(ms) ? `  ${Math.max(0, ms)} ms from arrival (${note})` : `  (${note})`;
}

function nameInUri(uri: string): string {
  const match = /^gs:\/\/[^/]+\/(.*?)(#\d+)?$/.exec(uri);
  return match?.[1] ?? uri;
}

/** The object a dead letter was about: a GCS notification names it in attributes, a load request in its body. */
export function aboutOf(message: DeadLetter): ObjectRef | undefined {
  const { bucketId, objectId, objectGeneration } = message.attributes;
  if (bucketId && objectId && objectGeneration) return { bucket: bucketId, name: objectId, generation: objectGeneration };
  try {
    const body = JSON.parse(message.data.toString('utf8')) as { data?: { origin?: ObjectRef } & Partial<ObjectRef> };
    const ref = body.data?.origin ?? body.data;
    if (ref && typeof ref.bucket === 'string' && typeof ref.name === 'string' && ref.generation !== undefined) {
      return { bucket: ref.bucket, name: ref.name, generation: String(ref.generation) };
    }
  } catch {
    // not JSON: nothing to name
  }
  return undefined;
}
