// BigQuery jobs with ids derived from the load: a retry finds the job an earlier attempt ran instead of running it twice.
import type { BigQuery, Job, JobMetadata } from '@google-cloud/bigquery';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from '../../errors.js';
import { failureOf, isDuplicateJob } from './errors.js';

/** A job that ended: its metadata, and whether an earlier attempt had already run it. */
export interface FinishedJob {
  id: string;
  metadata: JobMetadata;
  reused: boolean;
}

const MAX_ATTEMPTS = 20;
const POLL_START_MS = 100;
const POLL_MAX_MS = 2000;

async function metadataOf(bq: BigQuery, id: string, location?: string): Promise<JobMetadata | undefined> {
  try {
    const [metadata] = await bq.job(id, location ? { location } : {}).getMetadata();
    return metadata;
  } catch (error) {
    if (failureOf(error).httpStatus === 404) return undefined;
    throw error;
  }
}

async function untilDone(bq: BigQuery, id: string, first: JobMetadata, location?: string): Promise<JobMetadata> {
  let metadata = first;
  for (let wait = POLL_START_MS; metadata.status?.state !== 'DONE'; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    await sleep(wait);
    metadata = (await metadataOf(bq, id, location)) ?? metadata;
  }
  return metadata;
}

/** Throws the job's own error when it ended with one; BigQuery reports a failed job as DONE with `errorResult`. */
export function throwIfFailed(metadata: JobMetadata): void {
  const result = metadata.status?.errorResult;
  if (result) throw Object.assign(new Error(result.message ?? 'job failed'), { reason: result.reason, errors: metadata.status?.errors });
}

/**
 * Runs `configuration` as job `<base>_<n>`: the first n whose job does not exist yet is created; a job of an earlier
 * attempt that is still running is awaited, one that succeeded is returned as it is, one that failed (a failed
 * BigQuery job changed nothing) makes room for the next n. The creation itself may fail (the emulator reports a
 * bad load there): that error is thrown as it comes.
 */
export async function runJob(bq: BigQuery, base: string, configuration: Record<string, unknown>, location?: string): Promise<FinishedJob> {
  let collisions = 0;
  for (let n = 1; n <= MAX_ATTEMPTS && collisions <= MAX_ATTEMPTS; n++) {
    const id = `${base}_${n}`;
    const existing = await metadataOf(bq, id, location);
    if (existing) {
      const done = await untilDone(bq, id, existing, location);
      if (!done.status?.errorResult) return { id, metadata: done, reused: true };
      continue;
    }
    let job: Job;
    try {
      [job] = await bq.createJob({ jobId: id, ...(location ? { location } : {}), configuration } as Parameters<BigQuery['createJob']>[0]);
    } catch (error) {
      // The same job exists (another process, or a retried insert of ours): it is the same work, so await it.
      if (isDuplicateJob(failureOf(error))) {
        n--;
        collisions++;
        // The other insert may not show in jobs.get yet: look again shortly.
        await sleep(POLL_START_MS);
        continue;
      }
      throw error;
    }
    return { id, metadata: await untilDone(bq, id, job.metadata as JobMetadata, location), reused: false };
  }
  throw new TransientError(`BigQuery: ${MAX_ATTEMPTS} attempts of job ${base} failed`);
}
