// What a validated command becomes: the envelopes to append and the response to give once they
// are appended. The HTTP routes append with bus.publish; the inbound consumer stages them with
// its batch (atomic with its offset commit). Planning never appends: every check that can
// refuse a request runs before anything is written.

import type { Tenant } from '@paystream/auth';
import type { Envelope } from '@paystream/schemas';
import type { StoredBody } from '../idempotency/store.js';

export interface Plan {
  readonly envelopes: readonly Envelope[];
  readonly statusCode: 201 | 202;
  /** The response body, given the encoded log position after the append. */
  body(position: string): StoredBody;
}

/** What running a command knows about its Idempotency-Key's history. */
export interface RunContext {
  /**
   * The key had no record when it was claimed: no earlier attempt can have appended anything
   * under it, so a plan need not look for one (a read saved on the hot path).
   */
  readonly firstUse: boolean;
}

/** A request whose stateless checks passed; `run` does the stateful ones and plans the append. */
export interface Prepared {
  /** The operation name idempotency keys are bound to, e.g. `payment.create`. */
  readonly operation: string;
  /** The payment or escrow the command targets, null for creations. */
  readonly resourceId: string | null;
  /** What the idempotency hash covers: the request, minus card/account numbers and CVC. */
  readonly hashBody: unknown;
  run(idempotencyKey: string | null, context?: RunContext): Promise<Plan>;
}

/** Who is asking: the tenant and, for the audit trail, the caller. */
export interface Caller {
  readonly tenant: Tenant;
  /** `key:<keyId>` over HTTP, `inbound` on the inbound topic. */
  readonly actor: string;
}
