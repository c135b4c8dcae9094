// A byte-level RFC 4180 record scanner: where records end, and how record lines map to physical lines.

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: either the closing quote or the first half of `""`. */
const QUOTED_QUOTE = 3;

/**
 * Scans CSV bytes chunk by chunk. `recordLine` counts newlines outside quoted values (how DuckDB numbers the
 * lines in its errors); `physicalLine` counts every newline (what an editor shows). Both start at 1.
 */
export class RecordScanner {
  physicalLine = 1;
  recordLine = 1;
  private state = FIELD_START;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    const byte = Buffer.from(delimiter, 'utf8');
    this.delimiter = byte.length === 1 ? byte[0]! : -1;
  }

  /**
   * Scans `bytes` until the record line number reaches `stopAt`; returns the index just past the newline where
   * that happened, or -1 when the chunk ended first.
   */
  scan(bytes: Buffer, stopAt: number): number {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.state === QUOTED) {
        if (b === QUOTE) this.state = QUOTED_QUOTE;
        else if (b === NEWLINE) this.physicalLine++;
        continue;
      }
      if (this.state === QUOTED_QUOTE && b === QUOTE) {
        this.state = QUOTED;
        continue;
      }
      if (b === NEWLINE) {
        this.physicalLine++;
        this.recordLine++;
        this.state = FIELD_START;
        if (this.recordLine >= stopAt) return i + 1;
      } else if (b === this.delimiter) this.state = FIELD_START;
      else if (b === QUOTE && this.state === FIELD_START) this.state = QUOTED;
      else this.state = UNQUOTED;
    }
    return -1;
  }
}

/** Index of the newline that ends the first record (quotes respected), or -1 when it is not in `bytes`. */
export function firstRecordEnd(bytes: Buffer, delimiter: string): number {
  const end = new RecordScanner(delimiter).scan(bytes, 2);
  return end < 0 ? -1 : end - 1;
}

/** The physical line where record line `recordLine` starts (DuckDB reports record lines). */
export async function physicalLineOf(stream: AsyncIterable<Buffer>, delimiter: string, recordLine: number): Promise<number> {
  const scanner = new RecordScanner(delimiter);
  if (recordLine <= 1) return 1;
  for await (const chunk of stream) {
    if (scanner.scan(chunk, recordLine) >= 0) break;
  }
  return scanner.physicalLine;
}
