// File name → which mapping claims it, as what (data or go file), for which batch key.
import { formatOfName } from '../config/index.js';
import type { FileFormat, TableMapping } from '../config/index.js';
import { baseNameOf, batchKeyOf, expandPattern } from './pattern.js';

export const FILE_ROLES = ['data', 'go'] as const;
export type FileRole = (typeof FILE_ROLES)[number];

export interface Classification {
  mapping: TableMapping;
  role: FileRole;
  batchKey: string;
  /** A gzip data file (`….gz`): read through gunzip. */
  compressed: boolean;
  /** What a data file holds: the mapping's `format:`, else what its name's extension says, else CSV. */
  format: FileFormat;
}

const GZ = '.gz';

/** The data patterns a mapping answers to: its own, and its `.gz` twin unless it already ends in `.gz`. */
export function dataPatterns(mapping: Pick<TableMapping, 'pattern'>): string[] {
  return mapping.pattern.endsWith(GZ) ? [mapping.pattern] : [mapping.pattern, mapping.pattern + GZ];
}

function classifyOne(baseName: string, mapping: TableMapping): Classification | undefined {
  for (const pattern of dataPatterns(mapping)) {
    const batchKey = batchKeyOf(pattern, baseName);
    if (batchKey !== undefined) {
      const format = mapping.format ?? formatOfName(baseName) ?? 'csv';
      return { mapping, role: 'data', batchKey, compressed: baseName.endsWith(GZ), format };
    }
  }
  if (mapping.goFile !== undefined) {
    const batchKey = batchKeyOf(mapping.goFile.pattern, baseName);
    if (batchKey !== undefined) return { mapping, role: 'go', batchKey, compressed: false, format: 'csv' };
  }
  return undefined;
}

/**
 * What an object is, judged by its base name (folders in the object name are ignored), or undefined when no
 * mapping claims it. Validated mappings never overlap, so at most one can match.
 */
export function classify(objectName: string, mappings: readonly TableMapping[]): Classification | undefined {
  const baseName = baseNameOf(objectName);
  for (const mapping of mappings) {
    const found = classifyOne(baseName, mapping);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The go file that completes the data file of `batchKey`, or undefined when the mapping needs none. */
export function companionGoName(mapping: TableMapping, batchKey: string): string | undefined {
  return mapping.goFile === undefined ? undefined : expandPattern(mapping.goFile.pattern, batchKey);
}

/** The plain data file name of `batchKey` (its `.gz` twin is the same name plus `.gz`). */
export function dataNameOf(mapping: TableMapping, batchKey: string): string {
  return expandPattern(mapping.pattern, batchKey);
}
