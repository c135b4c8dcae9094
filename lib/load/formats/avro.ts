// Avro object container files, read with avsc: the writer's schema as columns and types, each record as JSON text.
import avro from 'avsc';
import type { Schema } from 'avsc';
import { TerminalError } from '../../errors.js';
import { MAX_LINE_BYTES } from '../limits.js';
import type { FileSource } from '../source.js';
import { AVRO_CODECS, ExpansionLimitError, avroCodecs } from './avro-codecs.js';
import { resolveNames } from './avro-names.js';
import { MAX_JSON_DEPTH } from './json-object.js';
import type { ColumnType } from './column-types.js';
import type { JsonLine } from './jsonl.js';
import type { TypedShape } from './parquet.js';

type Node = Exclude<Schema, string> & { type: string; logicalType?: string; precision?: number; scale?: number; fields?: { name: string; type: Schema }[]; items?: Schema; values?: Schema };

/** Longs as BigInt: a JS number would round 2^53 + 1 silently. */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(BigInt(n));
    return buffer;
  },
  fromJSON: (x: number) => BigInt(x),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** A union of null and one type is that type, nullable; any other union is kept whole. */
function unwrap(schema: Schema): Schema {
  if (!Array.isArray(schema)) return schema;
  const rest = schema.filter((s) => s !== 'null' && (s as Node).type !== 'null');
  return rest.length === 1 ? rest[0]! : schema;
}

/** A wrapped union value's key, as avsc writes it: a named type's full name, else the type's name. */
const branchName = (schema: Schema): string => (typeof schema === 'string' ? schema : ((schema as { fullName?: string }).fullName ?? (schema as Node).type));
/** A field's type for messages: a named type by its full name (a recursive one could not be printed whole). */
const typeText = (schema: Schema) => JSON.stringify(schema, (_key, v: { fullName?: string } | null) => v?.fullName ?? v);
const node = (schema: Schema): Node => (typeof schema === 'string' ? ({ type: schema } as Node) : (schema as Node));

function avroColumnType(schema: Schema): ColumnType {
  const s = unwrap(schema);
  if (Array.isArray(s)) return 'JSON';
  const { type, logicalType, precision, scale } = node(s);
  if (logicalType === 'decimal' && precision !== undefined) return `NUMERIC(${precision},${scale ?? 0})`;
  if (logicalType === 'date') return 'DATE';
  if (logicalType === 'time-millis' || logicalType === 'time-micros') return 'TIME';
  if (logicalType === 'timestamp-millis' || logicalType === 'timestamp-micros') return 'TIMESTAMP';
  if (logicalType === 'local-timestamp-millis' || logicalType === 'local-timestamp-micros') return 'DATETIME';
  const plain: Record<string, ColumnType> = { boolean: 'BOOL', int: 'INT64', long: 'INT64', float: 'FLOAT64', double: 'FLOAT64', string: 'STRING', enum: 'STRING', bytes: 'BYTES', fixed: 'BYTES' };
  return plain[type] ?? 'JSON';
}

const pad = (n: bigint | number, width: number) => String(n).padStart(width, '0');

function decimalText(bytes: Buffer, scale: number): string {
  let n = bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`));
  const negative = n < 0n;
  if (negative) n = -n;
  const digits = pad(n, scale + 1);
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff` (with `Z` for an instant). */
function microsText(micros: bigint, zone: boolean): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${iso}.${pad(fraction, 6)}${zone ? 'Z' : ''}`;
}

/** A value nested deeper than a warehouse's JSON may be (a recursive type lets a writer nest without end). */
class TooDeep extends Error {}

/**
 * A decoded value as JSON text, by its writer's schema: logical types as text a warehouse casts, bytes as base64.
 * `level` is how deep the value would sit as JSON, were it an object or array (a record's fields are at 2, as a JSON
 * line's values are).
 */
function toJson(schema: Schema, value: unknown, level: number): string {
  if (value === null || value === undefined) return 'null';
  const s = unwrap(schema);
  const nested = level + 1;
  if (Array.isArray(s)) {
    // A wrapped union value: { "branch": value }.
    if (level > MAX_JSON_DEPTH) throw new TooDeep();
    const [branch, inner] = Object.entries(value as object)[0]!;
    const member = s.find((m) => branchName(m) === branch);
    return `{${JSON.stringify(branch)}:${toJson(member ?? 'string', inner, nested)}}`;
  }
  const n = node(s);
  switch (n.logicalType) {
    case 'decimal':
      return JSON.stringify(decimalText(value as Buffer, n.scale ?? 0));
    case 'date':
      return JSON.stringify(new Date(Number(value) * 86_400_000).toISOString().slice(0, 10));
    case 'time-millis':
    case 'time-micros': {
      const micros = BigInt(value as number | bigint) * (n.logicalType === 'time-millis' ? 1000n : 1n);
      return JSON.stringify(microsText(micros, false).slice(11));
    }
    case 'timestamp-millis':
    case 'timestamp-micros':
    case 'local-timestamp-millis':
    case 'local-timestamp-micros': {
      const micros = BigInt(value as number | bigint) * (n.logicalType.endsWith('millis') ? 1000n : 1n);
      return JSON.stringify(microsText(micros, !n.logicalType.startsWith('local')));
    }
  }
  if ((n.type === 'array' || n.type === 'map' || n.type === 'record' || n.type === 'error') && level > MAX_JSON_DEPTH) throw new TooDeep();
  switch (n.type) {
    case 'long':
    case 'int':
    case 'boolean':
      return String(value);
    case 'float':
    case 'double':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'bytes':
    case 'fixed':
      return JSON.stringify((value as Buffer).toString('base64'));
    case 'array':
      return `[${(value as unknown[]).map((v) => toJson(n.items!, v, nested)).join(',')}]`;
    case 'map':
      return `{${Object.entries(value as object).map(([k, v]) => `${JSON.stringify(k)}:${toJson(n.values!, v, nested)}`).join(',')}}`;
    case 'record':
    case 'error':
      return `{${n.fields!.map((f) => `${JSON.stringify(f.name)}:${toJson(f.type, (value as Record<string, unknown>)[f.name], nested)}`).join(',')}}`;
    default:
      return JSON.stringify(value);
  }
}

/** The container's header (Avro's own spec): magic bytes, metadata (the writer's schema, the codec), sync marker. */
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const MAGIC = Buffer.from('Obj\x01', 'latin1');

/**
 * The header, and the checks avsc's stream decoder does not make: it waits forever on a header cut short, and ends
 * quietly, with the records so far, on a block cut short. A whole file ends with the header's sync marker.
 */
async function checkedHeader(source: FileSource): Promise<{ fields: { name: string; type: Schema }[] }> {
  for (let length = 4096; ; length *= 4) {
    const head = await source.readHead(length);
    if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('invalid magic bytes: it is not an Avro object container file');
    const { value, offset } = HEADER.decode(head, 0) as { value?: { meta: Record<string, Buffer>; sync: Buffer }; offset: number };
    if (offset < 0 || value === undefined) {
      if (head.length >= source.bytes) throw new Error('the file is cut short inside its header');
      continue;
    }
    const codec = value.meta['avro.codec']?.toString('utf8') ?? 'null';
    if (!AVRO_CODECS.includes(codec)) throw new Error(`its blocks are compressed with ${codec}; landfall reads ${AVRO_CODECS.join(', ')}`);
    if (!(await source.readTail(value.sync.length)).equals(value.sync)) throw new Error('the file is cut short: it does not end with its sync marker');
    const schema = node(resolveNames(JSON.parse(value.meta['avro.schema']!.toString('utf8')) as Schema));
    return { fields: schema.type === 'record' ? schema.fields! : [{ name: 'value', type: schema }] };
  }
}

function avroError(file: string, error: unknown): TerminalError {
  // avsc puts a codec's own error in `cause` ("snappy codec decompression error").
  const cause = (error as { cause?: Error }).cause;
  if (cause instanceof ExpansionLimitError) return new TerminalError(`${file}: ${cause.message}`, { file }, error);
  const what = [error, ...(cause ? [cause] : [])].map((e) => String((e as Error).message ?? e).split('\n')[0]).join(': ');
  return new TerminalError(`${file}: the file is not valid Avro (${what})`, { file }, error);
}

/** A record's JSON texts over MAX_LINE_BYTES: a character takes at most 3 bytes, so only a long record is measured. */
function longerThanALine(values: string[]): boolean {
  let chars = 0;
  for (const v of values) chars += v.length;
  return chars * 3 > MAX_LINE_BYTES && values.reduce((bytes, v) => bytes + Buffer.byteLength(v), 0) > MAX_LINE_BYTES;
}

/** The file's records as JSON lines (`line` is the record's number), with the writer's schema. */
export async function* avroRecords(source: FileSource, onSchema?: (fields: { name: string; type: Schema }[]) => void): AsyncGenerator<JsonLine> {
  let fields: { name: string; type: Schema }[];
  try {
    fields = (await checkedHeader(source)).fields;
  } catch (error) {
    throw avroError(source.name, error);
  }
  onSchema?.(fields);
  const { codecs, blockRead } = avroCodecs();
  const decoder = avro.createFileDecoder(await source.localPath(), {
    codecs,
    parseHook: (schema: Schema) => avro.Type.forSchema(schema, { registry: { long: LONG } as never, wrapUnions: 'auto' }),
  });
  // A block read to its last record lets the decoder expand another.
  let unread = 0;
  decoder.on('block', (block: { valueCount: number }) => {
    unread = block.valueCount;
    if (unread === 0) blockRead();
  });
  const keys = fields.map((f) => f.name);
  const whole = fields.length === 1 && fields[0]!.name === 'value';
  let record = 0;
  const fail = (line: number, what: string) => new TerminalError(`${source.name} record ${line}: ${what}`, { file: source.name, line });
  const tooDeep = `a value is nested deeper than ${MAX_JSON_DEPTH} levels, more than a warehouse JSON value may have`;
  try {
    for await (const value of decoder as AsyncIterable<unknown>) {
      record++;
      if (--unread === 0) blockRead();
      let values: string[];
      try {
        values = fields.map((f) => toJson(f.type, whole && typeof value !== 'object' ? value : (value as Record<string, unknown>)[f.name], 2));
      } catch (error) {
        if (error instanceof TooDeep) throw fail(record, tooDeep);
        throw error;
      }
      if (longerThanALine(values)) throw fail(record, `the record is longer than ${MAX_LINE_BYTES} bytes as JSON, the limit of a JSON line`);
      yield { line: record, keys, values };
    }
  } catch (error) {
    // avsc's decoder recurses once per level of a value: one past its stack (about 10,000 levels) is past the limit too.
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw fail(record + 1, tooDeep);
    throw error instanceof TerminalError ? error : avroError(source.name, error);
  } finally {
    decoder.destroy();
  }
}

/** The columns, types and record count: the whole file is decoded once, which also checks every block. */
export async function describeAvro(source: FileSource): Promise<TypedShape> {
  let fields: { name: string; type: Schema }[] = [];
  let records = 0;
  for await (const _ of avroRecords(source, (f) => (fields = f))) records++;
  if (fields.length === 0) throw avroError(source.name, new Error('no schema in the file header'));
  const types = fields.map((f) => avroColumnType(f.type));
  return { names: fields.map((f) => f.name), types, fileTypes: fields.map((f) => typeText(f.type)), records };
}
