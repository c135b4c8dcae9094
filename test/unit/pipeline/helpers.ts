// Mappings and parts for the pipeline's pure-core tests.
import type { TableMapping } from '../../../lib/config/mapping.js';
import type { ArrivedPart, Part } from '../../../lib/pipeline/file-doc.js';

export const plain: TableMapping = {
  pattern: 'inst_*.csv',
  table: 'raw_inst',
  delimiter: ',',
  reupload: 'replace',
  source: { file: 'config/tables/a.yaml', line: 1 },
};

export const withGo: TableMapping = {
  pattern: 'trades_*.csv',
  table: 'raw_trades',
  goFile: { pattern: 'trades_*.go', format: 'properties', rowCountKey: 'record_count' },
  delimiter: ',',
  reupload: 'replace',
  source: { file: 'config/tables/b.yaml', line: 1 },
};

export const NOW = '2024-01-01T00:00:00.000Z';

/** The slot of the parts these tests use: batch key 1, at the top of the landing prefix. */
export const SLOT = { folder: '', batchKey: '1' };

export function part(name: string, generation: string, extra: Partial<Part> = {}): Part {
  return { bucket: 'landing', name: `incoming/${name}`, generation, arrivedAt: NOW, ...extra };
}

export function arrived(role: 'data' | 'go', p: Part, replayId?: string): ArrivedPart {
  return { role, part: p, replay: replayId !== undefined, replayId: replayId ?? null };
}
