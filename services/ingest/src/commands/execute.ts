// Runs a prepared command for the HTTP API: claim the Idempotency-Key (or replay its stored
// response), plan (every check that can refuse), append, store the response. A refusal releases
// the claim, since nothing was written. A failed append keeps the claim until its lease ends:
// the append may have happened (a broker timeout after the write), and a retry after the lease
// rebuilds the same ids, so it cannot double-apply.

import type { EventBus } from '@paystream/eventing';
import { encodePosition } from '@paystream/log';
import { requestHash } from '../idempotency/request-hash.js';
import type { Claim, IdempotencyStore, StoredBody } from '../idempotency/store.js';
import type { Caller, Prepared } from './plan.js';

export interface Executed {
  readonly statusCode: number;
  readonly body: StoredBody;
  /** True when this is a stored response of an earlier request with the same key. */
  readonly replayed: boolean;
}

export async function executeCommand(
  deps: { readonly bus: EventBus; readonly idempotency: IdempotencyStore },
  caller: Caller,
  prepared: Prepared,
  idempotencyKey: string | null,
  owner: string,
): Promise<Executed> {
  let claim: Claim | null = null;
  let firstUse = false;
  if (idempotencyKey !== null) {
    const begun = await deps.idempotency.begin({
      tenantId: caller.tenant.id,
      idempotencyKey,
      operation: prepared.operation,
      requestHash: requestHash(prepared.operation, prepared.resourceId, prepared.hashBody),
      owner,
    });
    if (begun.kind === 'replay') return { statusCode: begun.statusCode, body: begun.body, replayed: true };
    claim = begun.claim;
    firstUse = begun.firstUse;
  }
  let plan: Awaited<ReturnType<Prepared['run']>>;
  try {
    plan = await prepared.run(idempotencyKey, { firstUse });
  } catch (err) {
    if (claim) await deps.idempotency.abandon(claim);
    throw err;
  }
  const position = plan.envelopes.length > 0 ? (await deps.bus.publish(plan.envelopes)).position : {};
  const body = plan.body(encodePosition(position));
  if (claim) await deps.idempotency.complete(claim, plan.statusCode, body);
  return { statusCode: plan.statusCode, body, replayed: false };
}
