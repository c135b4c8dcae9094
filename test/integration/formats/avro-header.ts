// An Avro object container file's header (magic, metadata, sync marker), read just far enough to check a fixture file.
const MAGIC = Buffer.from('Obj\x01', 'latin1');

export interface AvroHeader {
  codec: string;
  /** The top-level record's field names, from the writer's schema. */
  fields: string[];
  sync: Buffer;
}

class Cursor {
  pos = MAGIC.length;
  constructor(private readonly data: Buffer) {}

  take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.data.length) throw new Error('not an Avro object container: the header runs past the end');
    this.pos += n;
    return this.data.subarray(this.pos - n, this.pos);
  }

  /** A zig-zag varint `long`, as Avro encodes counts and lengths. */
  long(): number {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.take(1)[0]!;
      n += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}

/** The metadata map's entries; a negative block count is followed by the block's size in bytes. */
function metadata(cursor: Cursor): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  for (let count = cursor.long(); count !== 0; count = cursor.long()) {
    if (count < 0) cursor.long();
    for (let i = 0; i < Math.abs(count); i++) entries.set(cursor.take(cursor.long()).toString('utf8'), cursor.take(cursor.long()));
  }
  return entries;
}

export function avroHeader(data: Buffer): AvroHeader {
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an Avro object container: no magic bytes');
  const cursor = new Cursor(data);
  const meta = metadata(cursor);
  const schema = JSON.parse(meta.get('avro.schema')?.toString('utf8') ?? '{}') as { fields?: { name: string }[] };
  return { codec: meta.get('avro.codec')?.toString('utf8') ?? 'null', fields: (schema.fields ?? []).map((f) => f.name), sync: cursor.take(16) };
}

/** A whole container ends with the sync marker that closes its header and every block; a cut one almost never does. */
export function isWholeAvroContainer(data: Buffer): boolean {
  try {
    return data.subarray(-16).equals(avroHeader(data).sync);
  } catch {
    return false;
  }
}
