// The DuckDB warehouse runs the promotion contract on a real DuckDB file: one transaction per promotion.
import { runPromoteContract } from '../../contract/promote-contract.js';
import type { PromoteHarness } from '../../contract/promote-contract.js';
import { newDuckDbHarness } from './harness.js';

async function newHarness(): Promise<PromoteHarness> {
  const h = await newDuckDbHarness();
  const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return {
    ...h,
    promote: (request) => h.warehouse.promote(request),
    setExtra: (table, id, json) => h.exec!(`UPDATE ${quoted(table)} SET "_extra" = '${json.replaceAll("'", "''")}' WHERE id = '${id}'`),
    plainTable: (table) => h.exec!(`CREATE TABLE ${quoted(table)} (id VARCHAR, name VARCHAR)`),
  };
}

runPromoteContract({
  name: 'DuckDB',
  newHarness,
  types: { string: 'VARCHAR', integer: 'INTEGER', date: 'DATE' },
  oddFields: ['odd "key" / ~x.y', 'unit price', 'Ünïcode-名: net', "o'neil", 'semi;col,umn [0]'],
});
