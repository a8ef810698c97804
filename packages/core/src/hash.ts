// Hashing helpers for tamper evidence and deterministic ids.

import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/**
 * A deterministic id from its causes, so a redelivered command produces the same event ids and
 * idempotent writes can recognise it. Formatted like a UUID for readability, it is not random.
 */
export function deterministicId(prefix: string, ...parts: string[]): string {
  const hex = sha256Hex(parts.join('\u001f'));
  return `${prefix}_${hex.slice(0, 26)}`;
}
