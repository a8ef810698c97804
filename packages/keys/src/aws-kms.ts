// The production key manager: AWS KMS GenerateDataKey / Decrypt. The endpoint can be overridden
// (moto in tests, a VPC endpoint in production). Every method call is exactly one KMS request.

import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PaystreamError } from '@paystream/core';
import { DATA_KEY_BYTES, type DataKey, type KeyManager } from './port.js';

export interface AwsKmsKeyManagerOptions {
  /** Key id, key ARN, alias name or alias ARN of a symmetric KMS key. */
  keyId: string;
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bounded so a KMS outage fails a request instead of hanging it. */
  maxAttempts?: number;
  /** Per-request socket timeout. Default 10 s. */
  requestTimeoutMs?: number;
}

function kmsClient(opts: Omit<AwsKmsKeyManagerOptions, 'keyId'>): KMSClient {
  return new KMSClient({
    region: opts.region,
    maxAttempts: opts.maxAttempts ?? 3,
    // A stuck connection fails the request instead of hanging it.
    requestHandler: {
      connectionTimeout: 3_000,
      requestTimeout: opts.requestTimeoutMs ?? 10_000,
      throwOnRequestTimeout: true,
    },
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
}

const UNWRAP_REFUSALS = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'NotFoundException',
  'AccessDeniedException',
]);

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'UnknownError';
}

export class AwsKmsKeyManager implements KeyManager {
  readonly keyId: string;
  readonly #client: KMSClient;

  constructor(opts: AwsKmsKeyManagerOptions) {
    if (!opts.keyId) throw new PaystreamError('invalid_config', 'a KMS key id is required', 'KMS_KEY_ID');
    this.keyId = opts.keyId;
    this.#client = kmsClient(opts);
  }

  /** The SDK client, for instrumentation (request counters). */
  get sdkClient(): KMSClient {
    return this.#client;
  }

  async generateDataKey(): Promise<DataKey> {
    let out: { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array };
    try {
      out = await this.#client.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256' }));
    } catch (err) {
      throw new PaystreamError('key_service_unavailable', `KMS GenerateDataKey failed: ${errorName(err)}`);
    }
    if (!out.Plaintext || out.Plaintext.length !== DATA_KEY_BYTES || !out.CiphertextBlob) {
      throw new PaystreamError(
        'key_service_unavailable',
        'KMS GenerateDataKey returned no usable 256-bit key',
      );
    }
    return { plaintext: Buffer.from(out.Plaintext), encrypted: Buffer.from(out.CiphertextBlob) };
  }

  async decryptDataKey(encrypted: Buffer): Promise<Buffer> {
    let out: { Plaintext?: Uint8Array };
    try {
      // Naming the key makes KMS refuse a blob wrapped under any other key.
      out = await this.#client.send(new DecryptCommand({ CiphertextBlob: encrypted, KeyId: this.keyId }));
    } catch (err) {
      const name = errorName(err);
      // A blob wrapped under another key, or altered where it names its key, comes back as
      // IncorrectKey / NotFound, or AccessDenied when it names a key this principal may not use.
      if (UNWRAP_REFUSALS.has(name)) {
        throw new PaystreamError(
          'key_unwrap_failed',
          `KMS refused the encrypted data key (${name})`,
          'encryptedKey',
        );
      }
      throw new PaystreamError('key_service_unavailable', `KMS Decrypt failed: ${name}`);
    }
    if (!out.Plaintext || out.Plaintext.length !== DATA_KEY_BYTES) {
      throw new PaystreamError('key_unwrap_failed', 'KMS returned no 256-bit key', 'encryptedKey');
    }
    return Buffer.from(out.Plaintext);
  }

  destroy(): void {
    this.#client.destroy();
  }
}

/** Creates a symmetric encryption key (tests and first-time local setup) and returns its id. */
export async function createKmsKey(
  opts: Omit<AwsKmsKeyManagerOptions, 'keyId'>,
  description: string,
): Promise<string> {
  const client = kmsClient(opts);
  try {
    const out = await client.send(
      new CreateKeyCommand({
        Description: description,
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
      }),
    );
    const id = out.KeyMetadata?.KeyId;
    if (!id) throw new PaystreamError('key_service_unavailable', 'KMS CreateKey returned no key id');
    return id;
  } finally {
    client.destroy();
  }
}
