// The gate reads a lone ALTER TABLE ADD/DROP COLUMN job to make it real on the emulator; anything else passes through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnChangeOf } from '../../../../emulators/quota-gate/alter-column.js';
import { planQuery } from '../../../../emulators/quota-gate/plan.js';

const change = (sql: string) => columnChangeOf(planQuery('p', { query: sql }), sql);
const table = { project: 'p', dataset: 'd', table: 't' };

test('ADD COLUMN with its type as the API names it (precision and scale kept), and DROP COLUMN', () => {
  assert.deepEqual(change('ALTER TABLE `p`.`d`.`t` ADD COLUMN `unit price` INT64'), {
    table, action: 'add', field: { name: 'unit price', type: 'INTEGER', mode: 'NULLABLE' }, guarded: false,
  });
  assert.deepEqual(change('alter table `p.d.t` add column if not exists v NUMERIC(10, 2);')?.field, { name: 'v', type: 'NUMERIC', mode: 'NULLABLE', precision: '10', scale: '2' });
  assert.equal(change('ALTER TABLE `p.d.t` ADD COLUMN IF NOT EXISTS v BOOL')?.guarded, true);
  assert.deepEqual(change('ALTER TABLE `p`.`d`.`t` DROP COLUMN IF EXISTS `v`'), { table, action: 'drop', field: { name: 'v', type: '' }, guarded: true });
});

test('anything else is left to the emulator: scripts, other actions, several actions, types it cannot make', () => {
  for (const sql of [
    'BEGIN TRANSACTION; ALTER TABLE `p.d.t` ADD COLUMN v STRING; COMMIT TRANSACTION',
    'ALTER TABLE `p.d.t` RENAME COLUMN a TO b',
    'ALTER TABLE `p.d.t` ADD COLUMN a STRING, ADD COLUMN b STRING',
    'ALTER TABLE `p.d.t` ADD COLUMN a STRUCT<x INT64>',
    'ALTER TABLE `p.d.t` ADD COLUMN a STRING OPTIONS(description="x")',
    'ALTER TABLE `p.d.t` SET OPTIONS (description="x")',
    'SELECT 1',
  ]) {
    assert.equal(change(sql), undefined, sql);
  }
});
