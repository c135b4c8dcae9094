import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalError, TransientError, isRetryable } from '../../lib/errors.js';

test('only what a network, an API’s load or the machine explains is retried; an unexpected exception is terminal', () => {
  assert.equal(isRetryable(new TransientError('lock')), true);
  assert.equal(isRetryable(new TerminalError('bad row')), false);
  assert.equal(isRetryable(new RangeError('Invalid string length')), false, 'a 600 MB go file read whole');
  assert.equal(isRetryable(new TypeError('x is undefined')), false);
  assert.equal(isRetryable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
  assert.equal(isRetryable(Object.assign(new Error('no space left'), { code: 'ENOSPC' })), true);
  assert.equal(isRetryable(Object.assign(new Error('no such file'), { code: 'ENOENT' })), false);
  assert.equal(isRetryable(Object.assign(new Error('Service Unavailable'), { code: 503 })), true);
  assert.equal(isRetryable(Object.assign(new Error('Too Many Requests'), { code: 429 })), true);
  assert.equal(isRetryable(Object.assign(new Error('Forbidden'), { code: 403 })), false);
  assert.equal(isRetryable(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })), true, 'gRPC');
  assert.equal(isRetryable(Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3 })), false, 'gRPC');
  assert.equal(isRetryable('a string'), false);
});
