// The DuckDB warehouse adapter (local development): `openDuckDbWarehouse(path, options)`.
export { DEFAULT_LOCK_WAIT_MS, openDuckDbWarehouse } from './open.js';
export type { DuckDbWarehouse, DuckDbWarehouseOptions } from './warehouse.js';
export { classifyDuckDbError, isLockConflict, isTransientDuckDbError } from './errors.js';
export { METADATA_DDL } from './metadata.js';
