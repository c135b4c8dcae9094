// Reading dbt's run_results.json: built models, failed nodes (models and tests) and their messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunResults } from '../../../../lib/adapters/dbt/run-results.js';
import { errorLines } from '../../../../lib/adapters/dbt/local-runner.js';

describe('parseRunResults', () => {
  it('splits built models from failed nodes and keeps their messages', () => {
    const text = JSON.stringify({
      metadata: { dbt_version: '1.11.16' },
      results: [
        { unique_id: 'model.p.stg_trades', status: 'success', message: 'OK' },
        { unique_id: 'seed.p.countries', status: 'success', message: 'INSERT 3' },
        { unique_id: 'test.p.not_null_stg_trades_isin.abc', status: 'pass' },
        { unique_id: 'test.p.unique_stg_trades_trade_id.def', status: 'fail', message: 'Got 2 results, configured to fail if != 0' },
        { unique_id: 'model.p.position_values', status: 'error', message: 'Runtime Error: boom' },
        { unique_id: 'model.p.downstream', status: 'skipped' },
      ],
    });
    assert.deepEqual(parseRunResults(text), {
      built: ['model.p.stg_trades', 'seed.p.countries'],
      failed: ['test.p.unique_stg_trades_trade_id.def', 'model.p.position_values'],
      errors: [
        'test.p.unique_stg_trades_trade_id.def: Got 2 results, configured to fail if != 0',
        'model.p.position_values: Runtime Error: boom',
      ],
    });
  });

  it('rejects text that is not a run_results.json', () => {
    assert.throws(() => parseRunResults('{"metadata":{}}'), /no "results" array/);
  });
});

describe('errorLines', () => {
  it("keeps dbt's error block from output that stopped before any node ran", () => {
    const output = ['12:00:00  Running with dbt=1.11.16', '12:00:01  Encountered an error:', 'Compilation Error', "  Model 'x' depends on a node named 'y' which was not found", ''].join('\n');
    assert.equal(errorLines(output), "12:00:01  Encountered an error:\nCompilation Error\nModel 'x' depends on a node named 'y' which was not found");
    assert.equal(errorLines('all fine'), '');
  });
});
