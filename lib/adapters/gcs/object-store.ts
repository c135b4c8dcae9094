// The ObjectStore port over @google-cloud/storage (GCS, or fake-gcs-server through `apiEndpoint`).
import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage';
import type { ObjectRef } from '../../pipeline/ids.js';
import type { CopyOptions, DisposableSource, ObjectInfo, ObjectStore, SourceIdentity } from '../../pipeline/ports.js';
import { openObjectSource } from './file-source.js';

export function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

export function infoOf(metadata: FileMetadata, fallback: { bucket: string; name: string }): ObjectInfo {
  const custom = Object.fromEntries(
    Object.entries(metadata.metadata ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    bucket: metadata.bucket ?? fallback.bucket,
    name: metadata.name ?? fallback.name,
    generation: String(metadata.generation ?? ''),
    size: Number(metadata.size ?? 0),
    timeCreated: metadata.timeCreated ?? null,
    contentType: metadata.contentType ?? null,
    metadata: custom,
  };
}

async function statFile(file: File): Promise<ObjectInfo | undefined> {
  try {
    const [metadata] = await file.getMetadata();
    return infoOf(metadata, { bucket: file.bucket.name, name: file.name });
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

export interface GcsObjectStoreOptions {
  /** Where downloads for DuckDB go. Default: the OS temp folder. */
  tempDirectory?: string;
  /**
   * Whether the server enforces the preconditions of a rewrite and a delete, as Cloud Storage does. fake-gcs-server
   * ignores them: it overwrites an existing destination and deletes whatever generation is live. Unless told, the
   * store looks first, which is safe with either but costs a request per copy and per delete (default: false).
   */
  enforcesPreconditions?: boolean;
}

export class GcsObjectStore implements ObjectStore {
  /** `storage.bucket()` builds a new Bucket (with its ACL, IAM and notification helpers) at every call: one per name. */
  private readonly buckets = new Map<string, Bucket>();
  private readonly enforcesPreconditions: boolean;

  constructor(
    private readonly storage: Storage,
    private readonly options: GcsObjectStoreOptions = {},
  ) {
    this.enforcesPreconditions = options.enforcesPreconditions ?? false;
  }

  private bucket(name: string): Bucket {
    let bucket = this.buckets.get(name);
    if (bucket === undefined) this.buckets.set(name, (bucket = this.storage.bucket(name)));
    return bucket;
  }

  private file(bucket: string, name: string, generation?: string): File {
    const b = this.bucket(bucket);
    return generation ? b.file(name, { generation: Number(generation) }) : b.file(name);
  }

  stat(bucket: string, name: string): Promise<ObjectInfo | undefined> {
    return statFile(this.file(bucket, name));
  }

  async readText(ref: ObjectRef): Promise<string> {
    const [bytes] = await this.file(ref.bucket, ref.name, ref.generation).download();
    return bytes.toString('utf8');
  }

  async openSource(ref: ObjectRef, identity: SourceIdentity, size?: number): Promise<DisposableSource> {
    const file = this.file(ref.bucket, ref.name, ref.generation);
    const bytes = size ?? (await statFile(file))?.size;
    if (bytes === undefined) throw Object.assign(new Error(`gs://${ref.bucket}/${ref.name}#${ref.generation} not found`), { code: 404 });
    return openObjectSource(file, bytes, identity, this.options.tempDirectory);
  }

  async copy(source: ObjectRef, destination: { bucket: string; name: string }, options: CopyOptions): Promise<ObjectInfo> {
    const target = this.file(destination.bucket, destination.name);
    if (!this.enforcesPreconditions && !options.first) {
      const existing = await statFile(target);
      if (existing !== undefined) return existing;
    }
    try {
      const [copied, response] = await this.file(source.bucket, source.name, source.generation).copy(target, {
        metadata: options.metadata,
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      // A finished rewrite returns the new object: no second request for what the copy already said.
      const resource = (response as { resource?: FileMetadata } | undefined)?.resource;
      const info = resource?.generation !== undefined ? infoOf(resource, destination) : await statFile(copied);
      if (info === undefined) throw new Error(`copy to gs://${destination.bucket}/${destination.name} vanished`);
      return info;
    } catch (error) {
      // 412: the destination exists. 404: the source generation is gone, as a retried move that deleted it leaves it.
      // Either way the destination says whether this copy was made before.
      if (httpStatus(error) !== 412 && httpStatus(error) !== 404) throw error;
      const existing = await statFile(target);
      if (existing === undefined) throw error;
      return existing;
    }
  }

  async delete(ref: { bucket: string; name: string; generation?: string }): Promise<void> {
    const file = this.file(ref.bucket, ref.name, ref.generation);
    // fake-gcs-server ignores both the generation and the precondition on delete and removes the live object;
    // checking first keeps a newer upload of the same name safe there (GCS enforces the precondition itself).
    if (ref.generation && !this.enforcesPreconditions && (await this.stat(ref.bucket, ref.name))?.generation !== ref.generation) return;
    try {
      await file.delete(ref.generation ? { ifGenerationMatch: Number(ref.generation) } : {});
    } catch (error) {
      if (httpStatus(error) === 404) return;
      // The live object is a newer generation: ours is gone already, and the new one is not ours to delete.
      if (httpStatus(error) === 412) return;
      throw error;
    }
  }

  async writeText(bucket: string, name: string, text: string, contentType: string): Promise<ObjectInfo> {
    const file = this.file(bucket, name);
    await file.save(text, { contentType, resumable: false });
    return (await statFile(file))!;
  }

  async upload(localPath: string, bucket: string, name: string): Promise<ObjectInfo> {
    const [file] = await this.bucket(bucket).upload(localPath, { destination: name, resumable: false });
    return (await statFile(file))!;
  }

  async list(bucket: string, prefix: string): Promise<ObjectInfo[]> {
    const [files] = await this.bucket(bucket).getFiles({ prefix, autoPaginate: true });
    return files.map((file) => infoOf(file.metadata, { bucket, name: file.name }));
  }
}
