// The DuckDB warehouse adapter (local development): `openDuckDbWarehouse(path, options)`.
export { openDuckDbWarehouse } from './warehouse.js';
export type { DuckDbWarehouse, DuckDbWarehouseOptions } from './warehouse.js';
export { classifyDuckDbError, isTransientDuckDbError, parseCsvFailure } from './errors.js';
export { METADATA_DDL } from './metadata.js';
