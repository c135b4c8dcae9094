// The DuckDB adapter runs the shared warehouse contract against a real DuckDB file.
import { runWarehouseContract } from '../../contract/warehouse-contract.js';
import { newDuckDbHarness } from './harness.js';

runWarehouseContract({ name: 'DuckDB', newHarness: newDuckDbHarness });
