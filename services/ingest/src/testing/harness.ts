// Ingest on embedded engines in a temp dir, with its HTTP routes on a real fastify server
// (app.inject), a FoldingReadQueries, and every log line captured for the leak checks.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Scope, TenantDirectory } from '@paystream/auth';
import { deterministicId, TestClock } from '@paystream/core';
import {
  decide,
  type EscrowCommand,
  type EscrowEvent,
  escrowIdFor,
  evolveAll,
  initialState,
  type PaymentState,
} from '@paystream/escrow';
import { type ChainHead, NEW_CHAIN, sealOnto, TOPICS } from '@paystream/eventing';
import type { Position } from '@paystream/log';
import { createHttpServer, createLogger, type HttpServer, type RunningService } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import { createIngestService, type IngestOptions } from '../service.js';
import { FoldingReadQueries } from './folding-read-queries.js';

export const OTHER_TENANT = {
  id: 'acme',
  name: 'Another marketplace',
  platformFeeBps: 500,
  minAmountMinor: 100,
  maxAmountMinor: 500_000,
};

export interface Harness {
  readonly t: TestEngines;
  readonly app: HttpServer;
  readonly queries: FoldingReadQueries;
  readonly directory: TenantDirectory;
  readonly clock: TestClock;
  readonly running: RunningService;
  readonly apiKey: string;
  readonly announced: string[];
  /** Every line the logger wrote (pino JSON). */
  readonly logLines: string[];
  key(tenantId: string, scopes: readonly Scope[]): Promise<string>;
  /** End offsets of the commands and events topics: compare before/after to prove nothing was appended. */
  appended(): Promise<Position>;
  /** Appends the escrow events that take a payment of `tenantId` through `commands`, as escrow would. */
  givenPayment(
    tenantId: string,
    paymentId: string,
    commands: readonly EscrowCommand[],
  ): Promise<PaymentState>;
  /** Decoded envelopes of a topic, in partition/offset order. */
  envelopes(topic: string): Promise<Envelope[]>;
  close(): Promise<void>;
}

export async function openHarness(options: IngestOptions = {}): Promise<Harness> {
  const clock = new TestClock();
  const t = await openTestEngines({ clock });
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void logLines.push(s) },
  });
  const queries = new FoldingReadQueries(t.engines.bus);
  const announced: string[] = [];
  const service = createIngestService({
    queries,
    options: { inbound: false, ...options, announce: (line) => announced.push(line) },
  });
  const running = await service.start({ config: t.config, engines: t.engines, logger, metrics: t.metrics });
  const app = await createHttpServer({ logger, metrics: t.metrics, service: 'ingest' });
  await running.routes?.(app);
  await app.ready();
  const directory = new TenantDirectory(t.engines.readStore);
  await directory.putTenant(OTHER_TENANT);
  const apiKey = readFileSync(join(t.dataDir, 'api-key'), 'utf8').trim();
  const chains = new Map<string, { head: ChainHead; state: PaymentState }>();
  let keys = 0;

  return {
    t,
    app,
    queries,
    directory,
    clock,
    running,
    apiKey,
    announced,
    logLines,
    async key(tenantId, scopes) {
      const key = `psk_test_${tenantId}_${scopes.join('_')}_${++keys}_0000000000`;
      await directory.addKey(tenantId, key, scopes, 'test');
      return key;
    },
    appended: () => t.engines.log.endPosition([TOPICS.commands, TOPICS.events]),
    async givenPayment(tenantId, paymentId, commands) {
      const k = `${tenantId}/${paymentId}`;
      let { head, state } = chains.get(k) ?? { head: NEW_CHAIN, state: initialState() };
      const drafts: {
        type: PayloadType;
        payload: Payloads[PayloadType];
        meta: Parameters<typeof sealOnto>[2][number]['meta'];
      }[] = [];
      for (const command of commands) {
        const events: EscrowEvent[] = decide(command, state);
        state = evolveAll(state, events);
        for (const [i, e] of events.entries()) {
          drafts.push({
            type: e.type,
            payload: e.data as unknown as Payloads[PayloadType],
            meta: {
              eventId: deterministicId('evt', paymentId, command.metadata.commandId, String(i)),
              aggregateId: paymentId,
              tenantId,
              occurredAtMs: clock.nowMs(),
              causationId: command.metadata.commandId,
              correlationId: command.metadata.commandId,
            },
          });
        }
      }
      const sealed = sealOnto(t.engines.bus.codec, head, drafts);
      await t.engines.bus.publish(sealed.envelopes);
      chains.set(k, { head: sealed.head, state });
      return state;
    },
    async envelopes(topic) {
      const out: Envelope[] = [];
      const n = await t.engines.log.partitionsOf(topic);
      for (let p = 0; p < n; p++) {
        const records = await t.engines.log.read(topic, p, 0, 10_000);
        out.push(...(await t.engines.bus.codec.decodeAll(records.map((r) => r.value))));
      }
      return out;
    },
    async close() {
      await app.close();
      await running.stop();
      await t.cleanup();
    },
  };
}

/** Escrow commands that bring a payment to a status, as the fraud service and gateway would. */
export function historyTo(
  request: EscrowCommand & { type: 'RequestPayment' },
  to: 'pending' | 'review' | 'held',
): EscrowCommand[] {
  const cmd = (id: string) => ({ commandId: `${request.metadata.commandId}_${id}` });
  const fraud = (decision: 'approve' | 'review'): EscrowCommand => ({
    type: 'ApplyFraudAssessment',
    data: { score: decision === 'approve' ? 100 : 600, decision, reasons: [], modelVersion: 'test' },
    metadata: cmd('fraud'),
  });
  if (to === 'pending') return [request];
  if (to === 'review') return [request, fraud('review')];
  return [
    request,
    fraud('approve'),
    {
      type: 'RecordAuthorization',
      data: {
        authorizationId: `auth_${request.data.paymentId}`,
        amountMinor: request.data.amountMinor,
        currency: request.data.currency,
        networkReference: null,
      },
      metadata: cmd('auth'),
    },
    { type: 'Capture', data: { captureId: `cap_${request.data.paymentId}` }, metadata: cmd('capture') },
  ];
}

export function requestPaymentCommand(
  paymentId: string,
  overrides: Partial<(EscrowCommand & { type: 'RequestPayment' })['data']> = {},
): EscrowCommand & { type: 'RequestPayment' } {
  return {
    type: 'RequestPayment',
    metadata: { commandId: `cmd_${paymentId}` },
    data: {
      paymentId,
      customerId: 'cus_maya',
      providerId: 'prov_rex',
      paymentMethodId: 'card_x',
      amountMinor: 12_500,
      currency: 'USD',
      platformFeeBps: 800,
      holdUntilMs: null,
      autoRelease: true,
      metadata: {},
      risk: null,
      idempotencyKey: null,
      ...overrides,
    },
  };
}

export { escrowIdFor };
