// The production object store: one S3 bucket, optionally under a key prefix. Path-style
// addressing works with moto and with S3 alike. putIfAbsent uses S3 conditional writes
// (If-None-Match: *), so two writers racing for a key cannot both win.

import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PaystreamError } from '@paystream/core';
import {
  assertListLimit,
  assertObjectKey,
  assertPrefix,
  byteOrder,
  DEFAULT_LIST_LIMIT,
  type ObjectStore,
} from './port.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Prepended to every key, e.g. `tenant-a/`; must end with '/' when set. */
  keyPrefix?: string;
  /** Create the bucket on first use if it does not exist. Default true. */
  createBucket?: boolean;
  maxAttempts?: number;
  /** Per-request socket timeout. Default 30 s (objects can be large). */
  requestTimeoutMs?: number;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'UnknownError';
}

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #createBucket: boolean;
  #ready: Promise<void> | null = null;

  constructor(opts: S3ObjectStoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(opts.bucket)) {
      throw new PaystreamError('invalid_config', 'S3 bucket name is not valid', 'S3_BUCKET');
    }
    const prefix = opts.keyPrefix ?? '';
    if (prefix !== '' && !prefix.endsWith('/')) {
      throw new PaystreamError('invalid_config', "S3 key prefix must end with '/'", 'keyPrefix');
    }
    if (prefix !== '') assertObjectKey(prefix.slice(0, -1));
    this.#bucket = opts.bucket;
    this.#prefix = prefix;
    this.#createBucket = opts.createBucket ?? true;
    this.#client = new S3Client({
      region: opts.region,
      forcePathStyle: true,
      maxAttempts: opts.maxAttempts ?? 3,
      // A stuck connection fails the request instead of hanging it.
      requestHandler: {
        connectionTimeout: 3_000,
        requestTimeout: opts.requestTimeoutMs ?? 30_000,
        throwOnRequestTimeout: true,
      },
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  }

  destroy(): void {
    this.#client.destroy();
  }

  async #ensureBucket(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
        return;
      } catch (err) {
        if (httpStatus(err) !== 404 || !this.#createBucket) throw this.#unavailable('HeadBucket', err);
      }
      try {
        await this.#client.send(new CreateBucketCommand({ Bucket: this.#bucket }));
      } catch (err) {
        // Another process created it between our HEAD and CREATE.
        if (errorName(err) !== 'BucketAlreadyOwnedByYou') throw this.#unavailable('CreateBucket', err);
      }
    })().catch((err: unknown) => {
      this.#ready = null; // let the next call try again
      throw err;
    });
    await this.#ready;
  }

  #unavailable(op: string, err: unknown): PaystreamError {
    return new PaystreamError('object_store_unavailable', `S3 ${op} failed: ${errorName(err)}`);
  }

  async put(key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    assertObjectKey(key);
    await this.#ensureBucket();
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Body: bytes,
          ContentType: contentType ?? 'application/octet-stream',
        }),
      );
    } catch (err) {
      throw this.#unavailable('PutObject', err);
    }
  }

  async putIfAbsent(key: string, bytes: Uint8Array, contentType?: string): Promise<boolean> {
    assertObjectKey(key);
    await this.#ensureBucket();
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Body: bytes,
          ContentType: contentType ?? 'application/octet-stream',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (err) {
      // 412: the key exists. 409: a concurrent conditional write to the same key is in flight,
      // and it will win or lose on its own; either way ours did not write.
      const status = httpStatus(err);
      if (status === 412 || status === 409) return false;
      throw this.#unavailable('PutObject', err);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    assertObjectKey(key);
    await this.#ensureBucket();
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (errorName(err) === 'NoSuchKey' || httpStatus(err) === 404) return null;
      throw this.#unavailable('GetObject', err);
    }
  }

  async list(prefix: string, limit = DEFAULT_LIST_LIMIT): Promise<string[]> {
    assertPrefix(prefix);
    assertListLimit(limit);
    await this.#ensureBucket();
    const keys: string[] = [];
    let token: string | undefined;
    // Bounded by `limit`: each page adds up to 1,000 keys and we stop once we have enough.
    do {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix + prefix,
            ContinuationToken: token,
            MaxKeys: Math.min(1000, limit - keys.length),
          }),
        );
      } catch (err) {
        throw this.#unavailable('ListObjectsV2', err);
      }
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.#prefix.length));
      token = out.NextContinuationToken;
    } while (token && keys.length < limit);
    return keys.sort(byteOrder).slice(0, limit);
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.#ensureBucket();
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
    } catch (err) {
      throw this.#unavailable('DeleteObject', err);
    }
  }
}
