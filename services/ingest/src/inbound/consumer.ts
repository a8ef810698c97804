// The inbound consumer: each record on TOPICS.inbound becomes the same command the HTTP API
// would append — same schemas, same prepare/plan code, same idempotency keys — or a dead letter
// with the reason. Both are staged on the batch (ctx.append), so they are written atomically
// with the batch's offset commit: a crash anywhere loses no record and writes no command twice.
//
// Idempotency across redelivery: the key's record is completed before the batch commits, with
// the record's source position as its owner. If the commit then fails, the redelivered record
// finds its own completed key and re-plans (the ids are deterministic, so the commands are the
// same); a record with another source finding a completed key is a producer's duplicate and is
// skipped. A key still in progress on the HTTP side fails the batch, which is retried.

import type { TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import { EventBus, TOPICS } from '@paystream/eventing';
import {
  encodePosition,
  type LogRecord,
  type OutRecord,
  positionAfter,
  type Subscription,
} from '@paystream/log';
import type { Logger, Metrics } from '@paystream/runtime';
import { Value } from '@sinclair/typebox/value';
import type { CommandDeps } from '../commands/deps.js';
import {
  prepareDispute,
  prepareRefund,
  prepareRelease,
  prepareResolveDispute,
  prepareReview,
} from '../commands/escrow-actions.js';
import { preparePayment } from '../commands/payments.js';
import type { Caller, Prepared } from '../commands/plan.js';
import { requestHash } from '../idempotency/request-hash.js';
import { assertIdempotencyKey, type Claim, type IdempotencyStore } from '../idempotency/store.js';
import type {
  CreatePaymentBody,
  DisputeBody,
  RefundBody,
  ReleaseBody,
  ResolveDisputeBody,
  ReviewBody,
} from '../schemas.js';
import { INBOUND_BODIES, INBOUND_GROUP, InboundRecord, SENSITIVE_INBOUND_TYPES } from './format.js';
import { scrubRecordValue } from './scrub.js';

export interface InboundDeps {
  readonly bus: EventBus;
  readonly directory: TenantDirectory;
  readonly commands: CommandDeps;
  readonly idempotency: IdempotencyStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly maxBatchRecords?: number;
}

type Outcome = 'accepted' | 'duplicate' | 'dead_lettered';

function schemaError(
  schema: Parameters<typeof Value.Errors>[0],
  value: unknown,
  prefix: string,
): PaystreamError {
  const first = Value.Errors(schema, value).First();
  const path = `${prefix}${first?.path ?? ''}`.replace(/^\//, '').replaceAll('/', '.');
  return new PaystreamError(
    'validation_failed',
    `${path || 'record'} ${first?.message ?? 'is invalid'}`,
    path || undefined,
  );
}

function prepareFor(deps: CommandDeps, caller: Caller, rec: InboundRecord): Prepared {
  const spec = INBOUND_BODIES[rec.type];
  if (!Value.Check(spec.schema, rec.body)) throw schemaError(spec.schema, rec.body, 'body');
  const id = rec.resourceId;
  if (spec.needsResource && id === undefined) {
    throw new PaystreamError('validation_failed', `${rec.type} needs resourceId`, 'resourceId');
  }
  if (!spec.needsResource && id !== undefined) {
    throw new PaystreamError('validation_failed', `${rec.type} takes no resourceId`, 'resourceId');
  }
  switch (rec.type) {
    case 'payment.create':
      return preparePayment(deps, caller, rec.body as CreatePaymentBody);
    case 'payment.refund':
      return prepareRefund(deps, caller, id!, rec.body as RefundBody);
    case 'payment.review':
      return prepareReview(deps, caller, id!, rec.body as ReviewBody);
    case 'escrow.release':
      return prepareRelease(deps, caller, id!, rec.body as ReleaseBody);
    case 'escrow.dispute':
      return prepareDispute(deps, caller, id!, rec.body as DisputeBody);
    case 'escrow.resolve':
      return prepareResolveDispute(deps, caller, id!, rec.body as ResolveDisputeBody);
  }
}

export class InboundConsumer {
  readonly #deps: InboundDeps;
  readonly #records;

  constructor(deps: InboundDeps) {
    this.#deps = deps;
    this.#records = deps.metrics.counter('ingest_inbound_records_total', 'Inbound records by outcome', [
      'outcome',
    ]);
  }

  async start(): Promise<Subscription> {
    return await this.#deps.bus.log.subscribe(
      {
        groupId: INBOUND_GROUP,
        topics: [TOPICS.inbound],
        maxBatchRecords: this.#deps.maxBatchRecords ?? 100,
      },
      async (batch, ctx) => {
        for (const record of batch.records) {
          const out: OutRecord[] = [];
          const outcome = await this.handle(record, out);
          ctx.append(out);
          this.#records.inc({ outcome });
        }
      },
    );
  }

  /** Turns one inbound record into commands or a dead letter, staged into `out`. */
  async handle(record: LogRecord, out: OutRecord[]): Promise<Outcome> {
    try {
      return await this.#accept(record, out);
    } catch (err) {
      // Only a refusal is dead-lettered; anything else (a store or broker outage) fails the
      // batch so it is delivered again rather than lost.
      if (!(err instanceof PaystreamError)) throw err;
      if (err.code === 'idempotency_in_progress') throw err;
      const reason = `${err.code}: ${err.message}${err.field ? ` (field ${err.field})` : ''}`;
      out.push(EventBus.deadLetterRecord({ ...record, value: scrubRecordValue(record.value) }, reason));
      this.#deps.logger.warn(
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          code: err.code,
          field: err.field,
        },
        'inbound record dead-lettered',
      );
      return 'dead_lettered';
    }
  }

  async #accept(record: LogRecord, out: OutRecord[]): Promise<Outcome> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.value.toString('utf8'));
    } catch {
      throw new PaystreamError('malformed_json', 'the record value is not valid JSON');
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && SENSITIVE_INBOUND_TYPES.includes(type)) {
      throw new PaystreamError(
        'sensitive_data_not_accepted',
        `${type} is not accepted on the inbound topic (a card or account number would be stored in plaintext); use the HTTPS API`,
        'type',
      );
    }
    if (!Value.Check(InboundRecord, parsed)) throw schemaError(InboundRecord, parsed, '');
    const rec = parsed as InboundRecord;
    const key = assertIdempotencyKey(rec.idempotencyKey);
    const tenant = await this.#deps.directory.tenant(rec.tenantId);
    if (!tenant) throw new PaystreamError('tenant_not_found', `no tenant ${rec.tenantId}`, 'tenantId');

    const caller: Caller = { tenant, actor: 'inbound' };
    const prepared = prepareFor(this.#deps.commands, caller, rec);
    const owner = `inbound:${record.topic}/${record.partition}/${record.offset}`;
    const begun = await this.#deps.idempotency.begin({
      tenantId: tenant.id,
      idempotencyKey: key,
      operation: prepared.operation,
      requestHash: requestHash(prepared.operation, prepared.resourceId, prepared.hashBody),
      owner,
    });
    // Someone else (HTTP, or an earlier record) already executed this request: a duplicate.
    if (begun.kind === 'replay' && begun.owner !== owner) return 'duplicate';
    const claim: Claim | null = begun.kind === 'claimed' ? begun.claim : null;

    let plan: Awaited<ReturnType<Prepared['run']>>;
    try {
      plan = await prepared.run(key, { firstUse: begun.kind === 'claimed' && begun.firstUse });
    } catch (err) {
      if (claim) await this.#deps.idempotency.abandon(claim);
      throw err;
    }
    // The commands' own offsets are known only once the batch commits, so the request's position
    // is the inbound record's: the read side waits for this consumer to pass it, then for the
    // commands it wrote (ReadQueries.waitFor). An HTTP replay of the key answers it.
    const position = encodePosition(positionAfter([record]));
    if (claim) await this.#deps.idempotency.complete(claim, plan.statusCode, plan.body(position));
    out.push(...plan.envelopes.map((e) => this.#deps.bus.toRecord(e)));
    return 'accepted';
  }
}

export { INBOUND_GROUP };
