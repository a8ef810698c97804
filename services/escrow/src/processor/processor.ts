// Turns commands into a payment's events. One member owns a commands partition and is therefore
// the only writer of the payments in the matching events partition (same key, same partition
// count), so each payment's hash chain has a single writer.
//
// For each command: decide(command, state) → events (pure); while the payment waits for the
// network, ask the gateway (idempotent on the payment / authorization / refund id, so a
// redelivered batch gets the same answers) and decide the answer as a command too. The
// decision's journal entries ride in the same stream. Everything a batch decides is published
// atomically with the batch's offset commit (EventBus ctx.publish).

import type { Clock } from '@paystream/core';
import { PaystreamError } from '@paystream/core';
import { type EventContext, type EventMeta, type EventRecord, sealOnto } from '@paystream/eventing';
import { type Envelope as Crypto, cardAad } from '@paystream/keys';
import type { Logger, Metrics } from '@paystream/runtime';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import {
  commandRejected,
  decide,
  type EscrowCommand,
  type PaymentState,
  recordDecision,
} from '../domain/index.js';
import type { PaymentGateway } from '../gateway/port.js';
import type { CardVault } from './card-vault.js';
import { type CachedPayment, PaymentCache } from './payment-cache.js';

export interface ProcessorDeps {
  readonly cache: PaymentCache;
  readonly vault: CardVault;
  readonly gateway: PaymentGateway;
  readonly crypto: Crypto;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly codec: import('@paystream/schemas').EnvelopeCodec;
}

const COMMAND_TYPES = new Set([
  'RequestPayment',
  'ApplyFraudAssessment',
  'ApproveReview',
  'DeclineReview',
  'Release',
  'ReleaseExpiredHold',
  'Refund',
  'OpenDispute',
  'ResolveDispute',
]);

/** Internal commands issued by timers; a duplicate is dropped instead of recorded as rejected. */
const QUIET_REJECTIONS = new Set(['ReleaseExpiredHold']);

function toCommand(e: Envelope, commandId: string): EscrowCommand {
  return { type: e.type, data: e.payload, metadata: { commandId } } as unknown as EscrowCommand;
}

export class EscrowProcessor {
  readonly #commands;
  constructor(private readonly deps: ProcessorDeps) {
    this.#commands = deps.metrics.counter('escrow_commands_total', 'Commands decided by escrow', [
      'type',
      'outcome',
    ]);
  }

  async handle(records: readonly EventRecord[], ctx: EventContext): Promise<void> {
    const first = records[0]!;
    const partition = first.position.partition;
    const cached = await this.deps.cache.forBatch(partition, first.position.offset);
    const overlay = new Map<string, CachedPayment>();
    try {
      for (const { envelope } of records) {
        if (!COMMAND_TYPES.has(envelope.type)) continue;
        const current = overlay.get(envelope.aggregateId) ?? cached.get(envelope.aggregateId);
        const next = await this.#handleOne(envelope, current, ctx);
        if (next) overlay.set(envelope.aggregateId, next);
      }
    } catch (err) {
      this.deps.cache.invalidate(partition);
      throw err;
    }
    this.deps.cache.settle(partition, overlay, records.at(-1)!.position.offset + 1);
  }

  async #handleOne(
    cmd: Envelope,
    current: CachedPayment | undefined,
    ctx: EventContext,
  ): Promise<CachedPayment | undefined> {
    const paymentId = cmd.aggregateId;
    let state: PaymentState = current?.state ?? { status: 'none' };
    let head = current?.head ?? { version: 0, hash: '0'.repeat(64) };
    const tenantId = current?.tenantId ?? cmd.tenantId;
    if (current && current.tenantId !== cmd.tenantId) {
      return this.#reject(
        cmd,
        new PaystreamError('payment_not_found', `payment ${paymentId} not found`, 'paymentId'),
        ctx,
        current,
      );
    }
    const out: Envelope[] = [];
    const meta = (eventId: string): EventMeta => ({
      eventId,
      aggregateId: paymentId,
      tenantId,
      occurredAtMs: this.deps.clock.nowMs(),
      causationId: cmd.eventId,
      correlationId: cmd.correlationId,
    });
    const step = (command: EscrowCommand): void => {
      const events = decide(command, state);
      const decision = recordDecision(paymentId, command.metadata.commandId, events);
      const drafts: { type: PayloadType; payload: Payloads[PayloadType]; meta: EventMeta }[] = [];
      for (const { eventId, event } of decision.events) {
        drafts.push({
          type: event.type,
          payload: event.data as unknown as Payloads[PayloadType],
          meta: meta(eventId),
        });
      }
      for (const entry of decision.journalEntries) {
        drafts.push({
          type: 'JournalEntryPosted',
          payload: entry as unknown as Payloads['JournalEntryPosted'],
          meta: meta(`evt_${entry.entryId}`),
        });
      }
      const sealed = sealOnto(this.deps.codec, head, drafts);
      let next: CachedPayment | undefined = { tenantId, state, head };
      for (const e of sealed.envelopes) next = PaymentCache.apply(next, e);
      state = next!.state;
      head = sealed.head;
      out.push(...sealed.envelopes);
    };

    try {
      const command = toCommand(cmd, cmd.eventId);
      await this.#refundAtNetwork(command, state);
      step(command);
      await this.#continueWithNetwork(cmd.eventId, tenantId, step, () => state);
    } catch (err) {
      if (err instanceof PaystreamError) return this.#reject(cmd, err, ctx, current);
      throw err; // a bug or an engine failure: the batch is retried, nothing is half-written
    }
    ctx.publish(out);
    this.#commands.inc({ type: cmd.type, outcome: 'applied' });
    return { tenantId, state, head };
  }

  /** Refunds go to the network first: if the network refuses, the command is rejected. */
  async #refundAtNetwork(command: EscrowCommand, state: PaymentState): Promise<void> {
    if (state.status === 'none' || !state.captureId) return;
    if (
      command.type !== 'Refund' &&
      !(command.type === 'ResolveDispute' && command.data.outcome === 'refund')
    )
      return;
    for (const event of decide(command, state)) {
      if (event.type !== 'EscrowRefunded') continue;
      const result = await this.deps.gateway.refund({
        paymentId: event.data.paymentId,
        captureId: state.captureId,
        refundId: event.data.refundId,
        amountMinor: event.data.amountMinor,
        currency: event.data.currency,
      });
      if (!result.refunded) {
        throw new PaystreamError(
          `network_${result.code}`,
          `the network refused the refund: ${result.message}`,
        );
      }
    }
  }

  /** While the payment waits for the network, ask it and decide its answer. */
  async #continueWithNetwork(
    commandId: string,
    tenantId: string,
    step: (c: EscrowCommand) => void,
    current: () => PaymentState,
  ): Promise<void> {
    let s = current();
    if (s.status === 'pending' && s.pendingStep === 'authorization') {
      const card = await this.deps.vault.card(tenantId, s.paymentMethodId);
      if (!card) {
        // The vault projection lags the card's tokenization: retry the batch shortly.
        throw new Error(`card ${s.paymentMethodId} not yet in the escrow vault`);
      }
      const number = (
        await this.deps.crypto.openString(card.sealedNumber, cardAad(tenantId, s.paymentMethodId))
      ).toString('utf8');
      const result = await this.deps.gateway.authorize({
        paymentId: s.paymentId,
        amountMinor: s.amountMinor,
        currency: s.currency,
        card: { number, expMonth: card.expMonth, expYear: card.expYear },
      });
      const id = `${commandId}:network`;
      step(
        result.approved
          ? {
              type: 'RecordAuthorization',
              data: {
                authorizationId: result.authorizationId,
                amountMinor: s.amountMinor,
                currency: s.currency,
                networkReference: result.networkReference,
              },
              metadata: { commandId: `${id}:auth` },
            }
          : {
              type: 'RecordNetworkDecline',
              data: { code: result.code, message: result.message },
              metadata: { commandId: `${id}:decline` },
            },
      );
      s = current();
    }
    if (s.status === 'authorized' && s.authorizationId) {
      const captured = await this.deps.gateway.capture({
        paymentId: s.paymentId,
        authorizationId: s.authorizationId,
        amountMinor: s.amountMinor,
        currency: s.currency,
      });
      if (!captured.captured) {
        throw new PaystreamError(`network_${captured.code}`, `capture failed: ${captured.message}`);
      }
      step({
        type: 'Capture',
        data: { captureId: captured.captureId },
        metadata: { commandId: `${commandId}:capture` },
      });
    }
  }

  #reject(
    cmd: Envelope,
    err: PaystreamError,
    ctx: EventContext,
    current: CachedPayment | undefined,
  ): CachedPayment | undefined {
    this.#commands.inc({ type: cmd.type, outcome: 'rejected' });
    if (QUIET_REJECTIONS.has(cmd.type)) return current;
    // The command's aggregate is its payment: the rejection names it for the read models.
    const payload = commandRejected(toCommand(cmd, cmd.eventId), err, cmd.aggregateId);
    // A rejection is its own one-event stream, so it never touches the payment's chain.
    const { envelopes } = sealOnto(this.deps.codec, { version: 0, hash: '0'.repeat(64) }, [
      {
        type: 'CommandRejected',
        payload: payload as unknown as Payloads['CommandRejected'],
        meta: {
          eventId: `rej_${cmd.eventId}`,
          aggregateId: `rej_${cmd.eventId}`,
          tenantId: cmd.tenantId,
          occurredAtMs: this.deps.clock.nowMs(),
          causationId: cmd.eventId,
          correlationId: cmd.correlationId,
        },
      },
    ]);
    ctx.publish(envelopes);
    this.deps.logger.info({ commandId: cmd.eventId, type: cmd.type, code: err.code }, 'command rejected');
    return current;
  }
}
