// A grammar of careless and hostile CSV files (fast-check arbitraries): quoting, delimiters, line ends, blank lines, go files, trailers.
import fc from 'fast-check';

/** One generated file with the mapping it is loaded under, before it is numbered into a batch. */
export interface CsvCase {
  /** The plain content; `gzip` compresses it on the way to the loader. */
  content: Buffer;
  gzip: boolean;
  delimiter: string;
  trailer?: { marker?: string };
  goFile?: GoCase;
}

export type GoCase =
  | { format: 'properties'; count: string }
  /** A seed-layout CSV go file: the name it states (`self` for the data file's own), the count, the status. */
  | { format: 'csv'; name: 'self' | 'other'; count: string; status: string };

/** One-byte and multi-byte delimiters; `¢` (C2 A2) shares its first byte with `¶` (C2 B6). */
export const DELIMITERS = [',', ';', '|', '\t', '¶', '€'] as const;

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The pieces a value is made of, by how often they come: `D` stands for the file's delimiter, `latin1` for byte FC. */
const PIECES: [number, string[]][] = [
  [80, ['a', 'b', 'x1', 'Zz']],
  [10, [' ', '  ']],
  [10, ['ü', 'é€', 'e\u0301', '¢']],
  [4, ['"', '""']],
  [2, ['D']],
  [2, ['\n', '\r\n']],
  [1, ['\r']],
  [1, ['\u0000', 'latin1']],
];
const piece = fc.oneof(...PIECES.map(([weight, pieces]) => ({ weight, arbitrary: fc.constantFrom(...pieces) })));
const value = fc.array(piece, { maxLength: 4 });

/** How a field is written: as it is, quoted with its quotes doubled, or quoted carelessly. */
const ENCODINGS = ['plain', 'quoted', 'unclosed', 'text-after-quote'] as const;
const encoding = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('plain' as const, 'quoted' as const) },
  { weight: 1, arbitrary: fc.constantFrom('unclosed' as const, 'text-after-quote' as const) },
);
const field = fc.record({ value, encoding });

const ENDINGS = ['\n', '\n', '\n', '\n', '\n', '\n', '\r\n', '\r\n', '\r\n', '\r\n', '\r', ''] as const;
const line = fc.record({
  fields: fc.array(field, { minLength: 0, maxLength: 6 }),
  ending: fc.constantFrom(...ENDINGS),
  blankAfter: fc.constantFrom('', '', '', '', '\n', '\r\n', '\n\n', ' \n'),
});

const NAMES = ['id', 'name', 'qty', 'Price', 'a b', 'ünï', 'x"y', ' pad ', 'c¶d', 'when'] as const;
/** Names that break a header: empty, reserved, a case-insensitive duplicate of `id`. */
const BAD_NAMES = ['', '_extra', 'ID'] as const;
const name = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_NAMES) });

function render(pieces: readonly string[], delimiter: string): Buffer {
  return Buffer.concat(pieces.map((p) => (p === 'latin1' ? Buffer.from([0xfc]) : bytes(p === 'D' ? delimiter : p))));
}

function renderField(f: { value: readonly string[]; encoding: (typeof ENCODINGS)[number] }, delimiter: string): Buffer {
  const raw = render(f.value, delimiter);
  const inner = Buffer.from([...raw].flatMap((b) => (b === 0x22 ? [b, b] : [b])));
  switch (f.encoding) {
    case 'plain':
      return raw;
    case 'quoted':
      return Buffer.concat([bytes('"'), inner, bytes('"')]);
    case 'unclosed':
      return Buffer.concat([bytes('"'), inner]);
    case 'text-after-quote':
      return Buffer.concat([bytes('"'), inner, bytes('"z')]);
  }
}

const goCase: fc.Arbitrary<(rows: number) => GoCase> = fc.oneof(
  fc.record({ off: fc.constantFrom(0, 0, 0, 1, -1), junk: fc.boolean() }).map(({ off, junk }) => (rows: number): GoCase => ({
    format: 'properties',
    count: junk ? 'n/a' : String(Math.max(0, rows + off)),
  })),
  fc.record({ off: fc.constantFrom(0, 0, 1), name: fc.constantFrom('self', 'self', 'other'), status: fc.constantFrom('SUCCESS', 'SUCCESS', 'FAILED') }).map(
    ({ off, name, status }) => (rows: number): GoCase => ({ format: 'csv', name: name as 'self' | 'other', count: String(rows + off), status }),
  ),
);

const trailerCase = fc.record({
  marker: fc.constantFrom<string | undefined>('TRAILER', 'TRAILER', undefined),
  written: fc.constantFrom('TRAILER', 'TRAILER', 'TRAILER', 'TRAILR', 'none'),
  off: fc.constantFrom(0, 0, 0, 1),
  ending: fc.constantFrom('\n', '\r\n', '', '\n\n'),
});

const SPECIAL = new Set(['"', '""', 'D', '\n', '\r\n', '\r']);
type Field = { value: string[]; encoding: (typeof ENCODINGS)[number] };

/** A field as a careful writer writes it: no NUL or stray byte, quoted when it holds what CSV gives meaning to. */
function carefully(f: Field): Field {
  const value = f.value.filter((p) => p !== '\u0000' && p !== 'latin1');
  return { value, encoding: value.some((p) => SPECIAL.has(p)) || f.encoding !== 'plain' ? 'quoted' : 'plain' };
}

/** A whole file: a header of distinct-looking names, rows mostly as wide as it, and the count a go file or trailer states. */
export const csvCase: fc.Arbitrary<CsvCase> = fc
  .record({
    delimiter: fc.constantFrom(...DELIMITERS),
    header: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
    headerEnding: fc.constantFrom('\n', '\n', '\n', '\n', '\n', '\r\n', '\r\n', '\r\n', '\r\n', '\r'),
    rows: fc.array(line, { maxLength: 8 }),
    widthFix: fc.array(fc.constantFrom(true, true, true, true, true, true, true, false), { maxLength: 8 }),
    bom: fc.constantFrom(false, false, false, true),
    leadingBlank: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
    finalCr: fc.constantFrom(false, false, false, true),
    gzip: fc.constantFrom(false, false, false, true),
    count: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: goCase }, { weight: 1, arbitrary: trailerCase }),
    careful: fc.boolean(),
    /** Every line end LF, every one CRLF, or each its own (DuckDB's reader is trusted only with the first two). */
    style: fc.constantFrom('lf', 'lf', 'crlf', 'crlf', 'mixed'),
  })
  .map((c) => {
    const d = c.delimiter;
    const newline = c.style === 'lf' ? '\n' : '\r\n';
    /** A line end (or a line break inside a value) in the file's style; a careless writer's lone CR stays. */
    const styled = (end: string) => (c.style === 'mixed' || (end !== '\n' && end !== '\r\n') ? end : newline);
    const names = c.careful ? c.header.filter((n) => !(BAD_NAMES as readonly string[]).includes(n)) : c.header;
    const header = names.length > 0 ? names : ['id'];
    const width = header.join(d).split(d).length;
    // A careful writer quotes what needs quoting and writes whole rows and line ends; a careless one may not.
    const rows = c.rows.map((row, i) => {
      if (c.widthFix[i] === false && !c.careful) return row;
      const fields = row.fields.slice(0, width);
      while (fields.length < width) fields.push({ value: ['a'], encoding: 'plain' });
      if (c.careful) return { fields: fields.map(carefully), ending: row.ending === '\r' ? '\n' : row.ending, blankAfter: row.blankAfter.replace(' ', '') };
      return { ...row, fields };
    }).map((row) => ({
      fields: row.fields.map((f) => ({ ...f, value: f.value.map(styled) })),
      ending: styled(row.ending),
      blankAfter: c.style === 'mixed' ? row.blankAfter : row.blankAfter.replaceAll('\r\n', '\n').replaceAll('\n', newline),
    }));
    const parts: Buffer[] = [];
    if (c.bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
    if (c.leadingBlank && !c.careful) parts.push(bytes('\n'));
    parts.push(bytes(header.join(d)), bytes(styled(c.careful && c.headerEnding === '\r' ? '\n' : c.headerEnding)));
    rows.forEach((row, i) => {
      parts.push(Buffer.concat(row.fields.map((f, j) => Buffer.concat([j > 0 ? bytes(d) : Buffer.alloc(0), renderField(f, d)]))));
      parts.push(bytes(i === rows.length - 1 && c.count === undefined ? row.ending : row.ending || newline), bytes(row.blankAfter));
    });
    const made: CsvCase = { content: Buffer.alloc(0), gzip: c.gzip, delimiter: d };
    if (typeof c.count === 'function') made.goFile = c.count(rows.length);
    else if (c.count !== undefined) {
      const t = c.count;
      made.trailer = t.marker === undefined ? {} : { marker: t.marker };
      if (t.written !== 'none') parts.push(bytes([t.written, String(rows.length + t.off), 'EOF'].join(d)), bytes(t.ending.replaceAll('\n', newline)));
    }
    if (c.finalCr) parts.push(bytes('\r'));
    made.content = Buffer.concat(parts);
    return made;
  });
