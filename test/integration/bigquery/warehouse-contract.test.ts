// The BigQuery adapter runs the shared warehouse contract against goccy/bigquery-emulator reading from fake-gcs-server.
import { columnNameProblem } from '../../../lib/adapters/bigquery/index.js';
import { runWarehouseContract } from '../../contract/warehouse-contract.js';
import { newBigQueryHarness, useBigQueryStack } from './harness.js';

const stack = useBigQueryStack();

runWarehouseContract({ name: 'BigQuery (emulator)', newHarness: () => newBigQueryHarness(stack.clients()), columnNameProblem });
