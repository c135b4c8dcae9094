// When a batch key is overdue: an all_tables key still incomplete past its batch's expected_by. Pure.
import { failedMembers, missingMembers, type BatchKeyState, type TriggerBatch } from './batch-state.js';

export interface BatchOverdue {
  missing: string[];
  failed: string[];
  sinceFirstLoadSeconds: number;
  expectedBySeconds: number;
}

/** An all_tables key still incomplete (a member missing or failed) past expected_by after its first member loaded. */
export function batchOverdue(batch: TriggerBatch, state: BatchKeyState, now: Date): BatchOverdue | undefined {
  if (batch.expectedBySeconds === undefined) return undefined;
  const [missing, failed] = [missingMembers(batch, state), failedMembers(batch, state)];
  const first = Object.values(state.members).map((m) => m.at).sort()[0];
  if ((missing.length === 0 && failed.length === 0) || first === undefined) return undefined;
  const sinceFirstLoadSeconds = Math.floor((now.getTime() - Date.parse(first)) / 1000);
  return sinceFirstLoadSeconds > batch.expectedBySeconds ? { missing, failed, sinceFirstLoadSeconds, expectedBySeconds: batch.expectedBySeconds } : undefined;
}
