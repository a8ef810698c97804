// The command endpoints of the public API (ARCHITECTURE.md §5). Each route declares its JSON schema
// (validation, and the OpenAPI at /docs), authenticates in onRequest — before the body is even
// parsed, so an anonymous caller learns nothing about validation — then prepares the command
// (stateless checks), runs it under its Idempotency-Key and appends. Every refusal is a
// PaystreamError that the runtime's one error handler turns into {code, message, field}.
//
// The routes live in their own encapsulated plugin so the per-key rate limit covers exactly
// these routes, not the rest of the process's server (read API, /health, /metrics).

import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authOf, requireScope, type TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import type { EventBus } from '@paystream/eventing';
import type { ReadQueries } from '@paystream/projections';
import type { HttpServer } from '@paystream/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandDeps } from '../commands/deps.js';
import {
  prepareDispute,
  prepareRefund,
  prepareRelease,
  prepareResolveDispute,
  prepareReview,
} from '../commands/escrow-actions.js';
import { executeCommand } from '../commands/execute.js';
import { prepareBankAccount, prepareCard } from '../commands/payment-methods.js';
import { preparePayment } from '../commands/payments.js';
import type { Caller, Prepared } from '../commands/plan.js';
import { assertIdempotencyKey, type IdempotencyStore } from '../idempotency/store.js';
import {
  BankAccountResponse,
  CardResponse,
  CommandAccepted,
  CreateBankAccountBody,
  CreateCardBody,
  CreatePaymentBody,
  DisputeBody,
  ErrorResponse,
  EscrowIdParams,
  IdempotencyHeaders,
  PaymentAccepted,
  PaymentIdParams,
  RefundBody,
  ReleaseBody,
  ResolveDisputeBody,
  ReviewBody,
  WaitQuery,
} from '../schemas.js';
import { parseWait, waitForDecision } from './wait.js';

export interface RateLimitOptions {
  /** Requests per API key per window. */
  readonly max: number;
  readonly timeWindowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 10_000, timeWindowMs: 60_000 };

export interface IngestRouteDeps {
  readonly directory: TenantDirectory;
  readonly commands: CommandDeps;
  readonly bus: EventBus;
  readonly idempotency: IdempotencyStore;
  readonly queries: ReadQueries;
  readonly rateLimit: RateLimitOptions;
  readonly maxWaitMs: number;
}

const errors = { '4xx': ErrorResponse };

function callerOf(req: FastifyRequest): Caller {
  const auth = authOf(req);
  return { tenant: auth.tenant, actor: `key:${auth.keyId}` };
}

function idempotencyKeyOf(req: FastifyRequest, required: boolean): string | null {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || key === '') {
    if (!required) return null;
    throw new PaystreamError(
      'idempotency_key_required',
      'this request needs an Idempotency-Key header (any unique string, e.g. a UUID), so a retry cannot act twice',
      'Idempotency-Key',
    );
  }
  return assertIdempotencyKey(key);
}

export async function registerIngestRoutes(app: HttpServer, deps: IngestRouteDeps): Promise<void> {
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(rateLimit, {
      global: true,
      max: deps.rateLimit.max,
      timeWindow: deps.rateLimit.timeWindowMs,
      // Runs after requireScope (route-level onRequest), so the key is known; per API key, not
      // per IP, since one marketplace backend may sit behind one address.
      keyGenerator: (req) => req.auth?.keyId ?? req.ip,
      errorResponseBuilder: (_req, ctx) =>
        new PaystreamError(
          'rate_limited',
          `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry later`,
        ),
    });

    // Refund and release take an optional body: a bare POST means "all that is held".
    scope.addHook('preValidation', async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    });

    const write = requireScope(deps.directory, 'write');
    const admin = requireScope(deps.directory, 'admin');

    async function run(
      req: FastifyRequest,
      reply: FastifyReply,
      prepared: Prepared,
      key: string | null,
    ): Promise<FastifyReply> {
      const result = await executeCommand(
        { bus: deps.bus, idempotency: deps.idempotency },
        callerOf(req),
        prepared,
        key,
        `http:${randomUUID()}`,
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.statusCode).send(result.body);
    }

    scope.post(
      '/v1/payment-methods/cards',
      {
        onRequest: write,
        schema: {
          summary: 'Tokenize a card',
          description:
            'Checks Luhn, brand, expiry and CVC; stores only the envelope-encrypted number. The CVC is never stored.',
          tags: ['payment methods'],
          body: CreateCardBody,
          headers: IdempotencyHeaders,
          response: { 201: CardResponse, ...errors },
        },
      },
      async (req, reply) => {
        const key = idempotencyKeyOf(req, false);
        return await run(req, reply, await prepareCard(deps.commands, callerOf(req), req.body), key);
      },
    );

    scope.post(
      '/v1/bank-accounts',
      {
        onRequest: write,
        schema: {
          summary: 'Tokenize a bank account',
          description: 'Checks the ABA routing checksum; stores only the envelope-encrypted account number.',
          tags: ['payment methods'],
          body: CreateBankAccountBody,
          headers: IdempotencyHeaders,
          response: { 201: BankAccountResponse, ...errors },
        },
      },
      async (req, reply) => {
        const key = idempotencyKeyOf(req, false);
        return await run(req, reply, await prepareBankAccount(deps.commands, callerOf(req), req.body), key);
      },
    );

    scope.post(
      '/v1/payments',
      {
        onRequest: write,
        schema: {
          summary: 'Create a payment',
          description:
            'Requires Idempotency-Key. Answers 202 with the position of the command; ?wait=<ms> (≤ 30000) waits for a decided status.',
          tags: ['payments'],
          body: CreatePaymentBody,
          querystring: WaitQuery,
          headers: IdempotencyHeaders,
          response: { 202: PaymentAccepted, ...errors },
        },
      },
      async (req, reply) => {
        const waitMs = parseWait(req.query.wait, deps.maxWaitMs);
        const key = idempotencyKeyOf(req, true);
        const caller = callerOf(req);
        const result = await executeCommand(
          { bus: deps.bus, idempotency: deps.idempotency },
          caller,
          preparePayment(deps.commands, caller, req.body),
          key,
          `http:${randomUUID()}`,
        );
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        const decision =
          waitMs === 0
            ? null
            : await waitForDecision(
                deps.queries,
                caller.tenant.id,
                String(result.body.id),
                String(result.body.position),
                waitMs,
              );
        return (reply as FastifyReply)
          .status(result.statusCode)
          .send(decision ? { ...result.body, ...decision } : result.body);
      },
    );

    scope.post(
      '/v1/payments/:id/refunds',
      {
        onRequest: write,
        schema: {
          summary: 'Refund held funds (all, or amount)',
          tags: ['payments'],
          params: PaymentIdParams,
          body: RefundBody,
          headers: IdempotencyHeaders,
          response: { 202: CommandAccepted, ...errors },
        },
      },
      async (req, reply) =>
        await run(
          req,
          reply,
          prepareRefund(deps.commands, callerOf(req), req.params.id, req.body),
          idempotencyKeyOf(req, false),
        ),
    );

    scope.post(
      '/v1/payments/:id/review',
      {
        onRequest: admin,
        schema: {
          summary: 'Approve or decline a payment held for fraud review (admin)',
          tags: ['payments'],
          params: PaymentIdParams,
          body: ReviewBody,
          headers: IdempotencyHeaders,
          response: { 202: CommandAccepted, ...errors },
        },
      },
      async (req, reply) =>
        await run(
          req,
          reply,
          prepareReview(deps.commands, callerOf(req), req.params.id, req.body),
          idempotencyKeyOf(req, false),
        ),
    );

    scope.post(
      '/v1/escrows/:id/release',
      {
        onRequest: write,
        schema: {
          summary: 'Release held funds to the provider (all, or amount), less the platform fee',
          tags: ['escrows'],
          params: EscrowIdParams,
          body: ReleaseBody,
          headers: IdempotencyHeaders,
          response: { 202: CommandAccepted, ...errors },
        },
      },
      async (req, reply) =>
        await run(
          req,
          reply,
          prepareRelease(deps.commands, callerOf(req), req.params.id, req.body),
          idempotencyKeyOf(req, false),
        ),
    );

    scope.post(
      '/v1/escrows/:id/disputes',
      {
        onRequest: write,
        schema: {
          summary: 'Open a dispute: freezes everything still held',
          tags: ['escrows'],
          params: EscrowIdParams,
          body: DisputeBody,
          headers: IdempotencyHeaders,
          response: { 202: CommandAccepted, ...errors },
        },
      },
      async (req, reply) =>
        await run(
          req,
          reply,
          prepareDispute(deps.commands, callerOf(req), req.params.id, req.body),
          idempotencyKeyOf(req, false),
        ),
    );

    scope.post(
      '/v1/escrows/:id/disputes/resolve',
      {
        onRequest: write,
        schema: {
          summary: 'Resolve the open dispute: release to the provider or refund the customer',
          tags: ['escrows'],
          params: EscrowIdParams,
          body: ResolveDisputeBody,
          headers: IdempotencyHeaders,
          response: { 202: CommandAccepted, ...errors },
        },
      },
      async (req, reply) =>
        await run(
          req,
          reply,
          prepareResolveDispute(deps.commands, callerOf(req), req.params.id, req.body),
          idempotencyKeyOf(req, false),
        ),
    );
  });
}
