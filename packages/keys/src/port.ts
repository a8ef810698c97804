// The key-management port. A KeyManager hands out 256-bit data keys and unwraps them again; it
// never sees the data they protect. Envelope encryption (envelope.ts) sits on top and is the
// only thing the rest of Paystream calls.

export const DATA_KEY_BYTES = 32;

export interface DataKey {
  /** 32 bytes of AES-256 key material. Lives in memory only. */
  readonly plaintext: Buffer;
  /** The same key wrapped by the master key; safe to store beside the ciphertext. */
  readonly encrypted: Buffer;
}

export interface KeyManager {
  /** Identifies the master key; written into every sealed value so `open` can check it. */
  readonly keyId: string;
  /** One request to the key service (one billable KMS request in AWS mode). */
  generateDataKey(): Promise<DataKey>;
  /** One request to the key service. Throws PaystreamError `key_unwrap_failed` on any tamper. */
  decryptDataKey(encrypted: Buffer): Promise<Buffer>;
}
