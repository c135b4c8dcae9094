// Puts local files into the landing bucket through the pipeline's object store, and tells the fate board.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { TableMapping } from '../lib/config/index.js';
import { classify } from '../lib/match/index.js';
import type { ObjectStore } from '../lib/pipeline/index.js';
import type { FateBoard, Uploaded } from './fate-board.js';

export interface Landing {
  objects: Pick<ObjectStore, 'upload'>;
  bucket: string;
  /** The landing prefix (`incoming/`): the matcher ignores objects outside it. */
  prefix: string;
}

/** The sample files of a folder (its top level only: subfolders hold variations, such as the drift day). */
export async function sampleFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !/^readme/i.test(e.name) && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .sort();
}

async function put(landing: Landing, localPath: string, relativeName: string): Promise<Uploaded> {
  const info = await landing.objects.upload(localPath, landing.bucket, `${landing.prefix}${relativeName}`);
  return { bucket: info.bucket, name: info.name, generation: info.generation, atMs: Date.now() };
}

/**
 * Uploads files that belong together: go files first, so no data file is reported waiting for one that is
 * on its way; then the rest at once. Returns the board's lines (unmatched names, files still waiting).
 */
export async function uploadTogether(
  landing: Landing,
  files: readonly { localPath: string; relativeName: string }[],
  mappings: readonly TableMapping[],
  board: FateBoard,
): Promise<string[]> {
  const isGo = (f: { relativeName: string }) => classify(f.relativeName, mappings)?.role === 'go';
  const goFiles = await Promise.all(files.filter(isGo).map((f) => put(landing, f.localPath, f.relativeName)));
  const others = await Promise.all(files.filter((f) => !isGo(f)).map((f) => put(landing, f.localPath, f.relativeName)));
  return board.uploaded([...goFiles, ...others]);
}

export async function uploadSamples(landing: Landing, dir: string, mappings: readonly TableMapping[], board: FateBoard): Promise<string[]> {
  const files = (await sampleFiles(dir)).map((localPath) => ({ localPath, relativeName: basename(localPath) }));
  board.expectNames(files.map((f) => f.relativeName));
  return uploadTogether(landing, files, mappings, board);
}
