// Bad-input files too big (or too wide) to keep in the repository: expected.json describes them, the test writes them.
import { gzipSync } from 'node:zlib';

export type Generated =
  /** `header`, then one row whose middle field has `fieldBytes` bytes. */
  | { kind?: 'long-field'; header: string; fieldBytes: number }
  /** `columns` columns named c1…cN, `rows` rows of short values. */
  | { kind: 'wide'; columns: number; rows: number }
  /** One column whose name is `nameChars` characters long, then two rows. */
  | { kind: 'long-name'; nameChars: number }
  /** A header line of `headerBytes` bytes (one long name, then `,b`), then one row. */
  | { kind: 'long-header'; headerBytes: number }
  /** `rows` rows of `a,b` whose lines end in a lone CR, so the file has no LF at all. */
  | { kind: 'lone-cr'; rows: number }
  /** `head`, then `blankBytes` of empty lines, then `tail`; gzipped with `gzip`. */
  | { kind: 'blank-run'; head: string; blankBytes: number; tail: string; gzip?: boolean };

export function generateFile(spec: Generated): Buffer {
  switch (spec.kind) {
    case undefined:
    case 'long-field':
      return Buffer.concat([Buffer.from(`${spec.header}\n1,`), Buffer.alloc(spec.fieldBytes, 'x'), Buffer.from(',3\n')]);
    case 'wide': {
      const names = Array.from({ length: spec.columns }, (_, i) => `c${i + 1}`).join(',');
      const row = (r: number) => Array.from({ length: spec.columns }, (_, i) => `r${r}v${i + 1}`).join(',');
      return Buffer.from(`${names}\n${Array.from({ length: spec.rows }, (_, r) => row(r + 1)).join('\n')}\n`);
    }
    case 'long-name':
      return Buffer.from(`${'n'.repeat(spec.nameChars)}\n1\n2\n`);
    case 'long-header':
      return Buffer.concat([Buffer.alloc(spec.headerBytes - 2, 'h'), Buffer.from(',b\n1,2\n')]);
    case 'lone-cr':
      return Buffer.from(`a,b\r${Array.from({ length: spec.rows }, (_, i) => `${i},v${i}`).join('\r')}\r`);
    case 'blank-run': {
      const plain = Buffer.concat([Buffer.from(spec.head), Buffer.alloc(spec.blankBytes, '\n'), Buffer.from(spec.tail)]);
      return spec.gzip ? gzipSync(plain) : plain;
    }
  }
}
