// The benchmark's baseline: DuckDB's own bulk insert, no landfall: `node bench/load-raw.mjs DB CSV`.
import { DuckDBInstance } from '@duckdb/node-api';

const [db, csv] = process.argv.slice(2);
const instance = await DuckDBInstance.create(db);
const connection = await instance.connect();
const columns = Array.from({ length: 10 }, (_, i) => `c${i + 1} VARCHAR`).join(', ');
await connection.run(`CREATE TABLE t (${columns})`);
const result = await connection.run(`INSERT INTO t SELECT * FROM read_csv('${csv.replaceAll("'", "''")}', all_varchar = true)`);
console.log(JSON.stringify({ rows: result.rowsChanged }));
connection.closeSync();
instance.closeSync();
