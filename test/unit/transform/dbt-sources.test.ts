// dbt/models/sources.yml is generated from config/tables: it names every mapped table, and the committed copy is current.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadTableMappings } from '../../../lib/config/index.js';
import { DBT_SOURCES_PATH, renderDbtSources } from '../../../lib/transform/index.js';

describe('renderDbtSources', () => {
  it('declares one source table per mapped table, sorted, plus load_metadata', async () => {
    const mappings = await loadTableMappings('config/tables');
    const doc = parse(renderDbtSources(mappings)) as { sources: { name: string; schema: string; tables: { name: string }[] }[] };
    assert.equal(doc.sources[0]?.name, 'landfall');
    assert.equal(doc.sources[0]?.schema, '{{ target.schema }}');
    assert.deepEqual(doc.sources[0]?.tables.map((t) => t.name), ['raw_eod_prices', 'raw_fills', 'raw_instruments', 'raw_positions', 'raw_quotes', 'raw_trades', 'raw_venues', 'load_metadata']);
  });

  it('merges two patterns that load one table', async () => {
    const [mapping] = await loadTableMappings('config/tables');
    const twice = [mapping!, { ...mapping!, pattern: 'prices_*.csv', source: { file: 'x.yaml', line: 9 } }];
    const doc = parse(renderDbtSources(twice)) as { sources: { tables: { name: string; description: string }[] }[] };
    assert.equal(doc.sources[0]?.tables.length, 2);
    assert.match(doc.sources[0]?.tables[0]?.description ?? '', /`prices_\*\.csv` \(x\.yaml:9\)/);
  });

  it(`the committed ${DBT_SOURCES_PATH} matches config/tables (run \`landfall dbt-sources\` when this fails)`, async () => {
    const expected = renderDbtSources(await loadTableMappings('config/tables'));
    assert.equal(await readFile(DBT_SOURCES_PATH, 'utf8'), expected);
  });
});
