// The embedded key manager: a 256-bit master key in a file only its owner can read. Data keys
// are wrapped with AES-256-GCM under the master key, the key id bound in as associated data, so
// a wrapped key cannot be moved to another master key or altered without detection.
//
// Wrapped data key layout: IV (12) | ciphertext (32) | GCM tag (16) = 60 bytes.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { PaystreamError } from '@paystream/core';
import { DATA_KEY_BYTES, type DataKey, type KeyManager } from './port.js';

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const WRAPPED_KEY_BYTES = IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/** Any permission bit for group or others makes the file unsafe. */
const GROUP_OTHER_BITS = 0o077;

function assertPrivate(path: string, mode: number): void {
  if ((mode & GROUP_OTHER_BITS) !== 0) {
    throw new PaystreamError(
      'key_file_insecure',
      `master key file ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}; it must be 0600 or stricter (chmod 600 it)`,
      'masterKeyFile',
    );
  }
}

/**
 * Reads the master key, creating it (0600) if absent. The key is written and fsynced under a
 * temporary name, then hard-linked into place: the link fails if another process got there
 * first, and a reader never sees a half-written file (services starting together on one
 * PAYSTREAM_DATA raced exactly there), nor does a crash mid-write leave an empty key behind.
 */
function loadOrCreateMasterKey(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(MASTER_KEY_BYTES));
      // Umask can only narrow 0600, but check what we made rather than trust it.
      assertPrivate(tmp, fstatSync(fd).mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // theirs won; read it
    } finally {
      unlinkSync(tmp);
    }
  }
  assertPrivate(path, statSync(path).mode);
  const key = readFileSync(path);
  if (key.length !== MASTER_KEY_BYTES) {
    throw new PaystreamError(
      'key_file_invalid',
      `master key file ${path} holds ${key.length} bytes, expected ${MASTER_KEY_BYTES}`,
      'masterKeyFile',
    );
  }
  return key;
}

export interface LocalFileKeyManagerOptions {
  /** Path of the master key file; created with mode 0600 if it does not exist. */
  masterKeyFile: string;
}

export class LocalFileKeyManager implements KeyManager {
  readonly keyId: string;
  readonly #masterKey: Buffer;

  constructor(opts: LocalFileKeyManagerOptions) {
    this.#masterKey = loadOrCreateMasterKey(opts.masterKeyFile);
    // A public, stable name for this master key that reveals nothing about it.
    const digest = createHash('sha256')
      .update('paystream:local-master-key:v1')
      .update(this.#masterKey)
      .digest('hex');
    this.keyId = `local:${digest.slice(0, 16)}`;
  }

  async generateDataKey(): Promise<DataKey> {
    const plaintext = randomBytes(DATA_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#masterKey, iv);
    cipher.setAAD(Buffer.from(this.keyId, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, encrypted: Buffer.concat([iv, ct, cipher.getAuthTag()]) };
  }

  async decryptDataKey(encrypted: Buffer): Promise<Buffer> {
    if (encrypted.length !== WRAPPED_KEY_BYTES) {
      throw new PaystreamError(
        'key_unwrap_failed',
        'the encrypted data key has the wrong length',
        'encryptedKey',
      );
    }
    const iv = encrypted.subarray(0, IV_BYTES);
    const ct = encrypted.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES);
    const tag = encrypted.subarray(IV_BYTES + DATA_KEY_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#masterKey, iv);
      decipher.setAAD(Buffer.from(this.keyId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      throw new PaystreamError(
        'key_unwrap_failed',
        'the encrypted data key does not authenticate under this master key',
        'encryptedKey',
      );
    }
  }
}
