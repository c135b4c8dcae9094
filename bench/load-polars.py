# Seed 001's way, for the benchmark: Polars reads the CSV as strings (infer_schema_length=0), DuckDB takes the frame
# through Arrow into a file. `python bench/load-polars.py DB CSV`; prints {"rows": N}.
import json
import sys

import duckdb
import polars as pl

db, csv = sys.argv[1], sys.argv[2]
frame = pl.read_csv(csv, infer_schema_length=0)
connection = duckdb.connect(db)
connection.execute("CREATE TABLE t AS SELECT * FROM frame")
rows = connection.execute("SELECT count(*) FROM t").fetchone()[0]
connection.close()
print(json.dumps({"rows": rows}))
