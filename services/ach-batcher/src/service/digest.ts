// The digest of a NACHA file that events and read models carry. A plain SHA-256 of the file
// let anyone holding the other entry fields (routing number, last4, name, amount, dates) brute
// force an account number offline, so the digest is an HMAC-SHA256 under a platform secret:
// 32 random bytes created once, stored sealed (envelope encryption, KMS in Kafka mode) in the
// object store, kept in memory after the first use. A racing first use reads the winner's key.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '@paystream/core';
import type { Engines } from '@paystream/runtime';

const KEY_NAME = 'ach/keys/file-digest.sealed';
const KEY_AAD = 'paystream:ach-file-digest-key:v1';

const keys = new WeakMap<object, Promise<Buffer>>();

async function loadOrCreate(engines: Engines): Promise<Buffer> {
  const existing = await engines.objects.get(KEY_NAME);
  if (existing) return await engines.envelope.open(existing, KEY_AAD);
  const fresh = randomBytes(32);
  const sealed = await engines.envelope.seal(fresh, KEY_AAD);
  if (await engines.objects.putIfAbsent(KEY_NAME, sealed, 'application/octet-stream')) return fresh;
  const winner = await engines.objects.get(KEY_NAME);
  if (!winner) throw new Error('the ACH file digest key vanished after a lost race');
  return await engines.envelope.open(winner, KEY_AAD);
}

function keyOf(engines: Engines): Promise<Buffer> {
  let k = keys.get(engines.objects);
  if (!k) {
    k = loadOrCreate(engines);
    keys.set(engines.objects, k);
    k.catch(() => keys.delete(engines.objects));
  }
  return k;
}

/** HMAC-SHA256 (hex) of a file's bytes under the platform's digest key. */
export async function fileDigest(engines: Engines, bytes: Buffer | string): Promise<string> {
  return createHmac('sha256', await keyOf(engines))
    .update(bytes)
    .digest('hex');
}

/** Whether `bytes` is the file `stored` names (files closed before the HMAC carry a plain SHA-256). */
export async function digestMatches(engines: Engines, bytes: Buffer, stored: string): Promise<boolean> {
  const eq = (a: string) =>
    a.length === stored.length && timingSafeEqual(Buffer.from(a), Buffer.from(stored));
  return eq(await fileDigest(engines, bytes)) || eq(sha256Hex(bytes));
}
