// Hashing helpers for tamper evidence and deterministic ids.

import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  // One-shot crypto.hash is about twice as fast as createHash for the short inputs of ids and
  // chain links, and several of these run for every payment.
  if (parts.length === 1) return hash('sha256', parts[0]!, 'hex');
  return hash(
    'sha256',
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))),
    'hex',
  );
}

/**
 * A deterministic id from its causes, so a redelivered command produces the same event ids and
 * idempotent writes can recognise it. Formatted like a UUID for readability, it is not random.
 */
export function deterministicId(prefix: string, ...parts: string[]): string {
  const hex = sha256Hex(parts.join('\u001f'));
  return `${prefix}_${hex.slice(0, 26)}`;
}
