// The messages between the stages — arrival (a GCS notification), load request, load event — and their validation.
import { TerminalError } from '../errors.js';
import type { ObjectRef } from './ids.js';

/** A Pub/Sub message as a push subscription or a pull delivers it. */
export interface BusMessage {
  data: Buffer;
  attributes: Record<string, string>;
  messageId: string;
  publishTime: string | null;
}

/** A message that can never be processed: logged with its content, sent to the dead-letter topic, acked. */
export class MalformedMessageError extends TerminalError {
  constructor(
    readonly reason: string,
    readonly raw: unknown,
  ) {
    super(`malformed message: ${reason}`);
  }
}

export const ARRIVAL_ATTRIBUTES = {
  replay: 'landfallReplay',
  replayId: 'landfallReplayId',
} as const;

/** An object reference, plus where it first landed when that differs (a replayed archive copy). */
export interface SourceRef extends ObjectRef {
  origin?: ObjectRef;
}

export interface Arrival {
  eventType: string;
  object: ObjectRef;
  size: number | null;
  /** When the object was created in its bucket (the upload time for a landing object). */
  timeCreated: string | null;
  /** Custom metadata; on archive copies it holds the original identity. */
  metadata: Record<string, string>;
  replay: boolean;
  replayId: string | null;
}

export interface LoadRequest {
  v: 1;
  table: string;
  batchKey: string;
  data: SourceRef;
  go?: SourceRef;
  /** The round of the (table, batch key) document this request is for; a request for an older round is stale. */
  attempt: number;
  replay?: boolean;
}

export const EVENT_STATUSES = ['loaded', 'failed', 'skipped', 'superseded'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface LoadEvent {
  v: 1;
  table: string;
  batchKey: string;
  loadId: string;
  status: EventStatus;
  rows: number;
  error?: string;
  /** `gs://bucket/name#generation` of the landed data file. */
  file: string;
  /** The data file's path under the landing prefix (`day1/trades_1.csv`), and its folder (`day1/`, '' at the top). */
  path?: string;
  folder?: string;
  /** When the data file landed and when the load finished (ISO), for arrival-to-commit latency. */
  arrivedAt?: string;
  finishedAt?: string;
}

/**
 * The load events of many files in one message, `{ v: 1, events: [LoadEvent, …] }`: a loader that commits many files
 * at once may tell them together. Each event is as it would be alone; a single event stays a valid message.
 */
export interface LoadEventList {
  v: 1;
  events: LoadEvent[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(obj: Json, key: string, where: string, raw: unknown): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') throw new MalformedMessageError(`${where}.${key} must be a non-empty string`, raw);
  return value;
}

function generation(obj: Json, key: string, where: string, raw: unknown): string {
  const value = obj[key];
  const asText = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof asText !== 'string' || !/^\d+$/.test(asText)) {
    throw new MalformedMessageError(`${where}.${key} must be a generation number, got ${JSON.stringify(value)}`, raw);
  }
  return asText;
}

function objectRef(value: unknown, where: string, raw: unknown): ObjectRef {
  if (!isObject(value)) throw new MalformedMessageError(`${where} must be an object`, raw);
  return {
    bucket: text(value, 'bucket', where, raw),
    name: text(value, 'name', where, raw),
    generation: generation(value, 'generation', where, raw),
  };
}

function sourceRef(value: unknown, where: string, raw: unknown): SourceRef {
  const ref: SourceRef = objectRef(value, where, raw);
  const origin = (value as Json).origin;
  if (origin !== undefined) ref.origin = objectRef(origin, `${where}.origin`, raw);
  return ref;
}

/**
 * A message must have an id: a claim is held by the message that took it, so that its own redelivery (a dead
 * claimant) may retake it at once. Two id-less messages would both be that message.
 */
function requireMessageId(message: BusMessage): void {
  if (message.messageId === '') throw new MalformedMessageError('the message has no messageId', { attributes: message.attributes, data: message.data.toString('utf8').slice(0, 2000) });
}

/** Reads the JSON body of a message; anything else is malformed. */
export function parseJson(message: BusMessage): Json {
  requireMessageId(message);
  let value: unknown;
  try {
    value = JSON.parse(message.data.toString('utf8'));
  } catch {
    throw new MalformedMessageError('data is not JSON', message.data.toString('utf8').slice(0, 2000));
  }
  if (!isObject(value)) throw new MalformedMessageError('data is not a JSON object', value);
  return value;
}

/** A GCS notification (JSON_API_V1 or NONE). Only what GCS and fake-gcs-server both send is read. */
export function parseArrival(message: BusMessage): Arrival {
  requireMessageId(message);
  const attrs = message.attributes;
  const raw = { attributes: attrs, data: message.data.toString('utf8').slice(0, 2000) };
  const eventType = text(attrs, 'eventType', 'attributes', raw);
  const object = {
    bucket: text(attrs, 'bucketId', 'attributes', raw),
    name: text(attrs, 'objectId', 'attributes', raw),
    generation: generation(attrs, 'objectGeneration', 'attributes', raw),
  };
  const body = attrs.payloadFormat === 'JSON_API_V1' ? parseJson(message) : {};
  const size = Number(body.size);
  const metadata = isObject(body.metadata)
    ? Object.fromEntries(Object.entries(body.metadata).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};
  return {
    eventType,
    object,
    size: body.size !== undefined && Number.isFinite(size) ? size : null,
    timeCreated: typeof body.timeCreated === 'string' ? body.timeCreated : null,
    metadata,
    replay: attrs[ARRIVAL_ATTRIBUTES.replay] === 'true',
    replayId: attrs[ARRIVAL_ATTRIBUTES.replayId] ?? null,
  };
}

export function validateLoadRequest(value: unknown): LoadRequest {
  if (!isObject(value)) throw new MalformedMessageError('load request is not a JSON object', value);
  if (value.v !== 1) throw new MalformedMessageError(`load request version must be 1, got ${JSON.stringify(value.v)}`, value);
  const attempt = value.attempt;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
    throw new MalformedMessageError('load request attempt must be a positive whole number', value);
  }
  if (value.replay !== undefined && typeof value.replay !== 'boolean') {
    throw new MalformedMessageError('load request replay must be true or false', value);
  }
  const request: LoadRequest = {
    v: 1,
    table: text(value, 'table', 'request', value),
    batchKey: text(value, 'batchKey', 'request', value),
    data: sourceRef(value.data, 'request.data', value),
    attempt,
  };
  if (value.go !== undefined) request.go = sourceRef(value.go, 'request.go', value);
  if (value.replay === true) request.replay = true;
  return request;
}

export function validateLoadEvent(value: unknown): LoadEvent {
  if (!isObject(value)) throw new MalformedMessageError('load event is not a JSON object', value);
  if (value.v !== 1) throw new MalformedMessageError(`load event version must be 1, got ${JSON.stringify(value.v)}`, value);
  const status = value.status;
  if (!(EVENT_STATUSES as readonly unknown[]).includes(status)) {
    throw new MalformedMessageError(`load event status must be one of ${EVENT_STATUSES.join(', ')}`, value);
  }
  const rows = value.rows;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) {
    throw new MalformedMessageError('load event rows must be a whole number ≥ 0', value);
  }
  const event: LoadEvent = {
    v: 1,
    table: text(value, 'table', 'event', value),
    batchKey: text(value, 'batchKey', 'event', value),
    loadId: text(value, 'loadId', 'event', value),
    status: status as EventStatus,
    rows,
    file: text(value, 'file', 'event', value),
  };
  for (const key of ['error', 'arrivedAt', 'finishedAt', 'path', 'folder'] as const) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== 'string') throw new MalformedMessageError(`load event ${key} must be a string`, value);
    event[key] = value[key];
  }
  return event;
}

/** A load event message: one event, or a list of them (`LoadEventList`), each validated as one. */
export function validateLoadEvents(value: unknown): LoadEvent[] {
  if (!isObject(value) || value.events === undefined) return [validateLoadEvent(value)];
  if (value.v !== 1) throw new MalformedMessageError(`load event list version must be 1, got ${JSON.stringify(value.v)}`, value);
  const events = value.events;
  if (!Array.isArray(events) || events.length === 0) throw new MalformedMessageError('load event list events must be a non-empty array of load events', value);
  const extra = Object.keys(value).filter((key) => key !== 'v' && key !== 'events');
  if (extra.length > 0) throw new MalformedMessageError(`load event list has fields besides v and events: ${extra.join(', ')}`, value);
  return events.map((event, i) => {
    try {
      return validateLoadEvent(event);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) throw error;
      throw new MalformedMessageError(`events[${i}]: ${error.reason}`, value);
    }
  });
}
