// The object-store port: NACHA files, audit exports and sealed key material. Keys are
// '/'-separated paths; both adapters validate them with the same rules so a key that works
// embedded works on S3 and cannot escape the directory adapter's root.

import { PaystreamError } from '@paystream/core';

export interface ObjectStore {
  /** Writes the whole object atomically: a reader sees the old bytes or the new, never a mix. */
  put(key: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  /** Writes only when no object has the key; returns whether it wrote. Never overwrites. */
  putIfAbsent(key: string, bytes: Uint8Array, contentType?: string): Promise<boolean>;
  /** The bytes, or null when there is no such object. */
  get(key: string): Promise<Buffer | null>;
  /** Keys starting with `prefix`, sorted by UTF-8 bytes; at most `limit` (default 10,000). */
  list(prefix: string, limit?: number): Promise<string[]>;
  /** Removes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export const MAX_KEY_BYTES = 1024;
export const DEFAULT_LIST_LIMIT = 10_000;

const SEGMENT = /^[A-Za-z0-9._=+@,-]+$/;

/** Throws `invalid_object_key` unless `key` is a plain relative path of safe segments. */
export function assertObjectKey(key: string): void {
  const bad = (why: string) => new PaystreamError('invalid_object_key', `object key ${why}`, 'key');
  if (typeof key !== 'string' || key.length === 0) throw bad('must be a non-empty string');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw bad(`must be at most ${MAX_KEY_BYTES} bytes`);
  for (const seg of key.split('/')) {
    if (seg === '') throw bad('must not start or end with / or contain //');
    if (seg === '.' || seg === '..') throw bad('must not contain . or .. segments');
    if (!SEGMENT.test(seg)) throw bad('may contain only letters, digits and . _ = + @ , - in its segments');
    // Temp files of the directory adapter live under names starting with '.tmp-'.
    if (seg.startsWith('.tmp-')) throw bad('must not use the reserved .tmp- prefix');
  }
}

export function assertPrefix(prefix: string): void {
  if (prefix === '') return;
  // A prefix is a key, or a key plus a trailing slash.
  assertObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

export function assertListLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) {
    throw new PaystreamError('invalid_limit', 'list limit must be 1..100000', 'limit');
  }
  return limit;
}

/** UTF-8 byte order, which is S3's listing order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
