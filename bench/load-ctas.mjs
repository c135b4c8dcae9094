// The benchmark's baseline: DuckDB's own CTAS, all VARCHAR, into a file, with landfall's DuckDB settings (memory
// limit, no insertion order) and nothing else: `node bench/load-ctas.mjs DB CSV MEMORY_LIMIT`.
import { DuckDBInstance } from '@duckdb/node-api';

const [db, csv, memoryLimit] = process.argv.slice(2);
const instance = await DuckDBInstance.create(db, { memory_limit: memoryLimit, preserve_insertion_order: 'false' });
const connection = await instance.connect();
await connection.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv.replaceAll("'", "''")}', all_varchar = true)`);
const counted = (await connection.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJS()[0];
console.log(JSON.stringify({ rows: Number(counted?.n) }));
connection.closeSync();
instance.closeSync();
