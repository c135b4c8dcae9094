// What DuckDB's CSV reader loads where landfall's rules may refuse it, found by memchr/memmem over the file's bytes.
import { open } from 'node:fs/promises';

const SCAN_BYTES = 1024 * 1024;
const QUOTE = 0x22;
const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE_SPACE = Buffer.from('" ');
const SPACE_QUOTE = Buffer.from(' "');

/** Reads the file in chunks until `visit` returns true (stop) or the file ends. */
export async function eachChunk(path: string, visit: (chunk: Buffer, position: number) => boolean): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SCAN_BYTES);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, SCAN_BYTES, position);
      if (bytesRead === 0 || visit(buffer.subarray(0, bytesRead), position)) return;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Finds, chunk by chunk, the bytes DuckDB's reader may take otherwise than landfall's rules do, each seen here (fuzz
 * test and fixtures): a NUL (BigQuery refuses it, DuckDB loads it); a space after a quote (DuckDB drops spaces after a
 * closing quote, which the rules refuse); a space before a quote (DuckDB drops spaces before an opening quote and reads
 * ` ""` as an empty value, where by the rules a quote inside a field is a character of it: found by the long fuzz run); a CR not followed by LF (DuckDB can take one for a line end); and LF and
 * CRLF both ending lines (DuckDB then loses rows beside quoted values, or reads past an open quote). A file without
 * any is read by DuckDB exactly as the rules read it; one with them is read by landfall's own reader instead.
 */
export class SuspectBytes {
  found = false;
  private lastByte = -1;
  private crlf = false;
  private bareLf = false;

  /** Looks at the next chunk; true once something is found (the rest need not be read). */
  visit(chunk: Buffer): boolean {
    if (chunk.length === 0 || this.found) return this.found;
    const previous = this.lastByte;
    this.lastByte = chunk[chunk.length - 1]!;
    const quoteBesideSpace = chunk.indexOf(QUOTE_SPACE) >= 0 || chunk.indexOf(SPACE_QUOTE) >= 0 || (previous === QUOTE && chunk[0] === SPACE) || (previous === SPACE && chunk[0] === QUOTE);
    if (chunk.indexOf(0) >= 0 || quoteBesideSpace) return (this.found = true);
    const ends = lineEnds(chunk, previous);
    this.crlf ||= ends.crlf;
    this.bareLf ||= ends.bareLf;
    this.found = ends.loneCr || (this.crlf && this.bareLf);
    return this.found;
  }
}

/**
 * The line ends of a chunk: whether a CR is followed by anything but LF (one that ends the chunk is judged with the
 * next, or ends the file), and whether LF comes with and without a CR before it. Native searches only, so a file of
 * LF lines costs one search for CR.
 */
function lineEnds(chunk: Buffer, previous: number): { loneCr: boolean; crlf: boolean; bareLf: boolean } {
  const ends = { loneCr: previous === CR && chunk[0] !== LF, crlf: previous === CR && chunk[0] === LF, bareLf: previous !== CR && chunk[0] === LF };
  for (let i = chunk.indexOf(CR); i >= 0 && i < chunk.length - 1; i = chunk.indexOf(CR, i + 1)) {
    if (chunk[i + 1] !== LF) return { ...ends, loneCr: true };
    ends.crlf = true;
  }
  if (!ends.crlf) {
    ends.bareLf ||= chunk.indexOf(LF, 1) >= 0;
    return ends;
  }
  for (let i = chunk.indexOf(LF, 1); i >= 0 && !ends.bareLf; i = chunk.indexOf(LF, i + 1)) ends.bareLf = chunk[i - 1] !== CR;
  return ends;
}

/** Whether the file at `path` holds suspect bytes. */
export async function hasSuspectBytes(path: string): Promise<boolean> {
  const suspect = new SuspectBytes();
  await eachChunk(path, (chunk) => suspect.visit(chunk));
  return suspect.found;
}
