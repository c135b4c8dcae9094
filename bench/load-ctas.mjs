// The benchmark's baseline: DuckDB's own CTAS into a file, with landfall's DuckDB settings (memory limit, no
// insertion order) and nothing else: `node bench/load-ctas.mjs DB FILE MEMORY_LIMIT [csv|parquet|jsonl]`. CSV is read
// all VARCHAR (as landfall makes a new table), Parquet with its types, JSON lines as read_json detects them.
import { DuckDBInstance } from '@duckdb/node-api';

const [db, file, memoryLimit, format = 'csv'] = process.argv.slice(2);
const path = `'${file.replaceAll("'", "''")}'`;
const READERS = { csv: `read_csv(${path}, all_varchar = true)`, parquet: `read_parquet(${path})`, jsonl: `read_json(${path}, format = 'newline_delimited')` };
const instance = await DuckDBInstance.create(db, { memory_limit: memoryLimit, preserve_insertion_order: 'false' });
const connection = await instance.connect();
await connection.run(`CREATE TABLE t AS SELECT * FROM ${READERS[format]}`);
const counted = (await connection.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJS()[0];
console.log(JSON.stringify({ rows: Number(counted?.n) }));
connection.closeSync();
instance.closeSync();
