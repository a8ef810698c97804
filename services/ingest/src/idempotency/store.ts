// Idempotency keys: per tenant, kept at least `ttlMs` (default 24 h), bound to one request
// (operation + target + body hash).
//
//   same key, same request, completed   → the stored response (status and body), replayed
//   same key, other request             → 409 idempotency_conflict (nothing is executed)
//   same key, same request, in progress → 409 idempotency_in_progress (retry shortly)
//
// A claim is taken with a version-checked write (putIfNewer, version = the record's `rev`), so
// of two concurrent requests exactly one executes; the loser re-reads and gets the conflict,
// the in-progress error or, once the winner is done, the stored response. The first attempt
// writes rev 1 without reading (every stored record has rev ≥ 1, so it is a put-if-absent): a
// new key costs one write to claim and one to complete, and reads happen only on a retry. The
// writes of concurrent requests go out together (GroupedWriter: one transaction per event-loop
// turn). A claim carries a
// lease: if its holder dies between claiming and completing, the key becomes claimable again
// after `leaseMs` (the command is rebuilt with the same deterministic ids).
//
// Only accepted requests are remembered. A request refused by validation or a domain rule
// wrote nothing to the log, so its claim is released (state `abandoned`) and the key may be
// used again — Stripe's rule for requests that failed before executing.
//
// Expired records are purged lazily: a begin() that finds one overwrites it, and every
// `purgeEvery` begins a bounded sweep deletes up to 100 expired records of that tenant.

import { type Clock, invariant, PaystreamError } from '@paystream/core';
import { defineTable, GroupedWriter, type Item, type JsonValue, type ReadStore } from '@paystream/readstore';

export const IDEMPOTENCY_TABLE = defineTable({
  name: 'ingest_idempotency',
  key: { pk: 'tenantId', sk: 'idempotencyKey' },
});

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LEASE_MS = 60_000;
/** Printable ASCII, 1–255 characters (Stripe's limit). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type StoredBody = { [k: string]: JsonValue };

interface IdempotencyRecord {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly operation: string;
  readonly requestHash: string;
  readonly state: 'in_progress' | 'completed' | 'abandoned';
  /** Who holds the claim: `http:<uuid>` or `inbound:<topic>/<partition>/<offset>`. */
  readonly owner: string;
  readonly rev: number;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly leaseUntilMs: number;
  readonly statusCode: number | null;
  readonly response: StoredBody | null;
}

export interface BeginRequest {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly operation: string;
  readonly requestHash: string;
  readonly owner: string;
}

export interface Claim {
  readonly record: IdempotencyRecord;
}

export type BeginResult =
  | {
      readonly kind: 'claimed';
      readonly claim: Claim;
      /**
       * No record of this key existed: nothing was ever planned under it (unless its record
       * expired and was purged, after the TTL), so there is no earlier attempt to look for.
       */
      readonly firstUse: boolean;
    }
  | {
      readonly kind: 'replay';
      readonly statusCode: number;
      readonly body: StoredBody;
      /** Who executed it (inbound uses this to recognise its own uncommitted attempt). */
      readonly owner: string;
    };

export interface IdempotencyOptions {
  readonly ttlMs?: number;
  readonly leaseMs?: number;
  readonly purgeEvery?: number;
}

/**
 * Claim attempts per begin: the blind first write, then read-and-claim rounds; each lost race
 * means another request won, so three rounds are plenty.
 */
const MAX_CLAIM_ATTEMPTS = 4;
const PURGE_BATCH = 100;

export function assertIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new PaystreamError(
      'invalid_idempotency_key',
      'Idempotency-Key must be 1–255 printable ASCII characters without spaces',
      'Idempotency-Key',
    );
  }
  return key;
}

export class IdempotencyStore {
  readonly #store: ReadStore;
  readonly #writes: GroupedWriter;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #leaseMs: number;
  readonly #purgeEvery: number;
  #begins = 0;

  constructor(store: ReadStore, clock: Clock, options: IdempotencyOptions = {}) {
    this.#store = store;
    this.#writes = new GroupedWriter(store);
    this.#clock = clock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#purgeEvery = options.purgeEvery ?? 1000;
    invariant(this.#ttlMs >= DEFAULT_IDEMPOTENCY_TTL_MS, 'idempotency keys are kept at least 24 hours');
    invariant(this.#leaseMs > 0 && this.#leaseMs < this.#ttlMs, 'lease is positive and shorter than the TTL');
  }

  async init(): Promise<void> {
    await this.#store.ensureTables([IDEMPOTENCY_TABLE]);
  }

  async #get(tenantId: string, idempotencyKey: string): Promise<IdempotencyRecord | null> {
    const item = await this.#store.get(IDEMPOTENCY_TABLE, { tenantId, idempotencyKey });
    return item ? (item as unknown as IdempotencyRecord) : null;
  }

  async #put(record: IdempotencyRecord): Promise<boolean> {
    return await this.#writes.putIfNewer(IDEMPOTENCY_TABLE, record as unknown as Item, record.rev);
  }

  async begin(req: BeginRequest): Promise<BeginResult> {
    assertIdempotencyKey(req.idempotencyKey);
    if (++this.#begins % this.#purgeEvery === 0) await this.purgeExpired(req.tenantId);
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const nowMs = this.#clock.nowMs();
      // The happy path: a new key, claimed with one write and no read.
      const existing = attempt === 0 ? null : await this.#get(req.tenantId, req.idempotencyKey);
      const live = existing !== null && existing.expiresAtMs > nowMs && existing.state !== 'abandoned';
      if (live) {
        if (existing.requestHash !== req.requestHash) {
          throw new PaystreamError(
            'idempotency_conflict',
            `Idempotency-Key was already used for a different request (${existing.operation}); use a new key for a new request`,
            'Idempotency-Key',
          );
        }
        if (existing.state === 'completed') {
          invariant(
            existing.statusCode !== null && existing.response !== null,
            'a completed key has a response',
          );
          return {
            kind: 'replay',
            statusCode: existing.statusCode,
            body: existing.response,
            owner: existing.owner,
          };
        }
        if (existing.owner !== req.owner && existing.leaseUntilMs > nowMs) {
          throw new PaystreamError(
            'idempotency_in_progress',
            'a request with this Idempotency-Key is still being processed; retry shortly',
            'Idempotency-Key',
          );
        }
        // Our own earlier attempt, or a holder whose lease ran out: take the claim over.
      }
      const record: IdempotencyRecord = {
        tenantId: req.tenantId,
        idempotencyKey: req.idempotencyKey,
        operation: req.operation,
        requestHash: req.requestHash,
        state: 'in_progress',
        owner: req.owner,
        rev: (existing?.rev ?? 0) + 1,
        createdAtMs: nowMs,
        expiresAtMs: nowMs + this.#ttlMs,
        leaseUntilMs: nowMs + this.#leaseMs,
        statusCode: null,
        response: null,
      };
      // Only the blind first write proves there was no record: a record that vanished between a
      // refused write and the read was an expired one, purged, whose attempt may have appended.
      if (await this.#put(record)) return { kind: 'claimed', claim: { record }, firstUse: attempt === 0 };
      // Lost a race to a concurrent request: read what it wrote and answer from that.
    }
    throw new PaystreamError(
      'idempotency_in_progress',
      'a request with this Idempotency-Key is still being processed; retry shortly',
      'Idempotency-Key',
    );
  }

  /** Stores the response of an accepted request. False if the claim was taken over meanwhile. */
  async complete(claim: Claim, statusCode: number, body: StoredBody): Promise<boolean> {
    const r = claim.record;
    return await this.#put({ ...r, state: 'completed', rev: r.rev + 1, statusCode, response: body });
  }

  /** Releases the claim of a request that wrote nothing, so the key may be used again. */
  async abandon(claim: Claim): Promise<void> {
    const r = claim.record;
    await this.#put({ ...r, state: 'abandoned', rev: r.rev + 1 });
  }

  /** Deletes up to 100 expired records of a tenant (bounded: one page). */
  async purgeExpired(tenantId: string): Promise<number> {
    const nowMs = this.#clock.nowMs();
    const page = await this.#store.query(IDEMPOTENCY_TABLE, { pk: tenantId, limit: PURGE_BATCH });
    let purged = 0;
    for (const item of page.items) {
      const r = item as unknown as IdempotencyRecord;
      if (r.expiresAtMs <= nowMs) {
        await this.#store.delete(IDEMPOTENCY_TABLE, { tenantId, idempotencyKey: r.idempotencyKey });
        purged++;
      }
    }
    return purged;
  }
}
