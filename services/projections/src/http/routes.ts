// The read API (ARCHITECTURE.md §5): every GET of the contract except the NACHA file download (the ACH
// batcher's). Every route authenticates, needs the `read` scope (audit verify: `admin`) and
// answers 404 for another tenant's resources, exactly as for a missing one, so ids do not leak.
// Lists page with `?limit=&cursor=` (opaque cursor from the previous page's nextCursor).

import { authOf, grants, isOperator, requireScope, type TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import { accountKind, isAccount } from '@paystream/ledger';
import { decodePosition, type EventLog, type Position } from '@paystream/log';
import type { ReadStore } from '@paystream/readstore';
import { type HttpServer, perKeyRateLimit, type ServiceContext } from '@paystream/runtime';
import { Type } from '@sinclair/typebox';
import { aggregateHistory } from '../audit/history.js';
import { verifyEventLog } from '../audit/verify.js';
import { loadPriceTable, type PriceTable } from '../costs/prices.js';
import { costReport } from '../costs/report.js';
import { accountBalances, payoutView, providerBalances, tenantTrialBalance } from '../queries/balances.js';
import type { ReadQueries } from '../read-queries.js';
import {
  ACH_BATCHES,
  ACH_RETURNS,
  ESCROWS,
  PAYMENTS,
  PAYOUT_RETURNS,
  PAYOUTS,
  REJECTIONS,
} from '../tables.js';
import { batchView, escrowView, paymentView, redactPayload } from './views.js';

export interface ReadRoutesDeps {
  readonly ctx: Pick<ServiceContext, 'engines'>;
  readonly directory: TenantDirectory;
  readonly queries: ReadQueries;
  readonly prices?: PriceTable;
}

/** How long `?after=` may hold a request (a position from a command is normally reached in ms). */
export const MAX_AFTER_WAIT_MS = 5_000;
export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
/** Longest range one cost report covers. */
export const MAX_COST_RANGE_MS = 366 * 24 * 3600 * 1000;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Page = {
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
};

function pageLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_LIMIT) {
    throw new PaystreamError('invalid_limit', `limit must be 1..${MAX_PAGE_LIMIT}`, 'limit');
  }
  return n;
}

/**
 * A position past the end of the log was not returned by this system (every command's position
 * names records already appended): refused at once rather than held for the whole wait.
 */
async function refuseFuturePosition(log: EventLog, position: Position): Promise<void> {
  const topics = [...new Set(Object.keys(position).map((k) => k.slice(0, k.lastIndexOf('/'))))];
  if (topics.length === 0) return;
  let end: Position;
  try {
    end = await log.endPosition(topics);
  } catch {
    throw new PaystreamError('invalid_position', 'position names a topic this system does not have', 'after');
  }
  for (const [k, offset] of Object.entries(position)) {
    if (offset > (end[k] ?? 0))
      throw new PaystreamError('invalid_position', 'position is past the end of the log', 'after');
  }
}

/** The newest rejection of a command about this payment (its escrow is the same payment's). */
async function lastRejection(store: ReadStore, tenantId: string, paymentId: string) {
  const page = await store.query(REJECTIONS, {
    index: 'by_target',
    pk: paymentId,
    limit: 1,
    descending: true,
  });
  const r = owned(page.items[0] ?? null, tenantId);
  return r ? rejectionView(r) : null;
}

function rejectionView(r: Record<string, unknown>) {
  return {
    code: r.code,
    message: r.message,
    field: r.field ?? null,
    commandId: r.commandId,
    commandType: r.commandType,
    rejectedAt: new Date(Number(r.rejectedAtMs)).toISOString(),
    // Its own one-event aggregate: GET /v1/audit/events?aggregateId=… shows the event.
    auditAggregateId: r.eventAggregateId ?? null,
    paymentId: r.targetId ?? null,
  };
}

function owned<T extends { tenantId?: unknown }>(item: T | null, tenantId: string): T | null {
  return item !== null && item.tenantId === tenantId ? item : null;
}

function parseTime(raw: string | undefined, field: string, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Date.parse(raw);
  if (!Number.isFinite(ms))
    throw new PaystreamError(
      'invalid_field',
      `${field} must be a date (YYYY-MM-DD) or an ISO 8601 time`,
      field,
    );
  return ms;
}

async function page(
  store: ReadStore,
  table: Parameters<ReadStore['query']>[0],
  index: string,
  pk: string,
  q: { limit?: string; cursor?: string },
) {
  return await store.query(table, {
    index,
    pk,
    limit: pageLimit(q.limit),
    descending: true,
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
}

export async function registerReadRoutes(app: HttpServer, deps: ReadRoutesDeps): Promise<void> {
  // Reads are rate-limited per key as writes are (a scan of every payment is not free).
  await app.register(async (scope) => {
    await perKeyRateLimit(scope);
    await readRoutes(scope as unknown as HttpServer, deps);
  });
}

async function readRoutes(app: HttpServer, deps: ReadRoutesDeps): Promise<void> {
  const { engines } = deps.ctx;
  const store = engines.readStore;
  const read = requireScope(deps.directory, 'read');
  const admin = requireScope(deps.directory, 'admin');
  const prices = deps.prices ?? loadPriceTable();
  const tenantOf = (req: { auth?: { tenant: { id: string } } }): string => {
    if (!req.auth) throw new Error('route without requireScope');
    return req.auth.tenant.id;
  };

  /** A payment of the caller's tenant, after waiting (bounded) for `after` if given. */
  async function showPayment(
    tenantId: string,
    paymentId: string,
    after: string | undefined,
    reply: { header(name: string, value: string): unknown },
    notFound: () => PaystreamError,
  ): Promise<Record<string, unknown>> {
    let consistent = true;
    if (after !== undefined) {
      const position = decodePosition(after);
      await refuseFuturePosition(engines.log, position);
      consistent = await deps.queries.waitFor(position, MAX_AFTER_WAIT_MS);
    }
    const p = owned(await store.get(PAYMENTS, { id: paymentId }), tenantId);
    if (!p) {
      if (!consistent)
        throw new PaystreamError(
          'timeout',
          'the read models have not reached that position yet; retry',
          'after',
        );
      throw notFound();
    }
    if (!consistent) reply.header('paystream-consistent', 'false');
    return { ...paymentView(p), lastRejection: await lastRejection(store, tenantId, paymentId) };
  }

  app.get(
    '/v1/payments/:id',
    {
      onRequest: read,
      schema: {
        tags: ['payments'],
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ after: Type.Optional(Type.String({ maxLength: 8192 })) }),
      },
    },
    async (req, reply) =>
      await showPayment(
        tenantOf(req),
        req.params.id,
        req.query.after,
        reply,
        () => new PaystreamError('payment_not_found', `no payment ${req.params.id}`, 'id'),
      ),
  );

  app.get(
    '/v1/escrows/:id',
    { onRequest: read, schema: { tags: ['escrows'], params: Type.Object({ id: Id }) } },
    async (req) => {
      const e = owned(await store.get(ESCROWS, { id: req.params.id }), tenantOf(req));
      if (!e) throw new PaystreamError('escrow_not_found', `no escrow ${req.params.id}`, 'id');
      return {
        ...escrowView(e),
        lastRejection: await lastRejection(store, tenantOf(req), String(e.paymentId)),
      };
    },
  );

  app.get(
    '/v1/providers/:id/balance',
    {
      onRequest: read,
      schema: {
        tags: ['providers'],
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })) }),
      },
    },
    async (req) => {
      const balances = await providerBalances(store, tenantOf(req), req.params.id);
      if (!balances) throw new PaystreamError('provider_not_found', `no provider ${req.params.id}`, 'id');
      const currency = req.query.currency ?? (balances.length === 1 ? balances[0]!.currency : 'USD');
      const b = balances.find((x) => x.currency === currency) ?? {
        currency,
        held: 0,
        available: 0,
        inTransit: 0,
        paid: 0,
      };
      return {
        providerId: req.params.id,
        currency,
        held: b.held,
        available: b.available,
        inTransit: b.inTransit,
        paid: b.paid,
        balances,
      };
    },
  );

  app.get(
    '/v1/payouts',
    {
      onRequest: read,
      schema: { tags: ['payouts'], querystring: Type.Object({ providerId: Type.Optional(Id), ...Page }) },
    },
    async (req) => {
      const tenantId = tenantOf(req);
      const result = req.query.providerId
        ? await page(store, PAYOUTS, 'by_provider', `${tenantId}|${req.query.providerId}`, req.query)
        : await page(store, PAYOUTS, 'by_tenant', tenantId, req.query);
      return {
        data: await Promise.all(result.items.map((p) => payoutView(store, p))),
        nextCursor: result.nextCursor,
      };
    },
  );

  app.get(
    '/v1/ach/batches',
    { onRequest: read, schema: { tags: ['ach'], querystring: Type.Object(Page) } },
    async (req) => {
      const result = await page(store, ACH_BATCHES, 'by_tenant', tenantOf(req), req.query);
      const admin = grants(authOf(req).scopes, 'admin');
      return { data: result.items.map((b) => batchView(b, admin)), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/v1/ach/batches/:id',
    { onRequest: read, schema: { tags: ['ach'], params: Type.Object({ id: Id }) } },
    async (req) => {
      const tenantId = tenantOf(req);
      const b = owned(await store.get(ACH_BATCHES, { id: req.params.id }), tenantId);
      if (!b) throw new PaystreamError('ach_batch_not_found', `no ACH batch ${req.params.id}`, 'id');
      const payouts = [];
      for (const id of b.payoutIds as string[]) {
        const p = owned(await store.get(PAYOUTS, { id }), tenantId);
        if (p) payouts.push(await payoutView(store, p));
      }
      const returns = [];
      for (const id of b.payoutIds as string[]) {
        const r = owned(await store.get(PAYOUT_RETURNS, { payoutId: id }), tenantId);
        if (!r) continue;
        const full = await store.get(ACH_RETURNS, { id: r.returnId as string });
        returns.push({
          id: r.returnId,
          payoutId: id,
          code: r.returnCode,
          description: r.description,
          amount: r.amountMinor,
          traceNumber: full?.traceNumber ?? null,
        });
      }
      return { ...batchView(b, grants(authOf(req).scopes, 'admin')), payouts, returns };
    },
  );

  app.get('/v1/ledger/trial-balance', { onRequest: read, schema: { tags: ['ledger'] } }, async (req) => {
    const tb = await tenantTrialBalance(store, tenantOf(req));
    return { balanced: tb.balanced, currencies: tb.currencies };
  });

  app.get(
    '/v1/ledger/accounts/:id',
    { onRequest: read, schema: { tags: ['ledger'], params: Type.Object({ id: Id }) } },
    async (req) => {
      const id = req.params.id;
      if (!isAccount(id))
        throw new PaystreamError('account_not_found', `${id} is not in the chart of accounts`, 'id');
      const balances = await accountBalances(store, tenantOf(req), id);
      if (balances.length === 0 && id.startsWith('provider:')) {
        throw new PaystreamError('account_not_found', `no postings to ${id}`, 'id');
      }
      return { id, kind: accountKind(id), balances };
    },
  );

  app.get(
    '/v1/analytics/costs',
    {
      onRequest: read,
      schema: {
        tags: ['analytics'],
        querystring: Type.Object({
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Page.limit,
        }),
      },
    },
    async (req) => {
      const nowMs = engines.clock.nowMs();
      const toMs = parseTime(req.query.to, 'to', nowMs + 1);
      const fromMs = parseTime(req.query.from, 'from', toMs - 30 * 24 * 3600 * 1000);
      if (fromMs >= toMs) throw new PaystreamError('invalid_field', 'from must be before to', 'from');
      if (toMs - fromMs > MAX_COST_RANGE_MS)
        throw new PaystreamError('range_too_large', 'ask for at most 366 days', 'from');
      return await costReport(store, prices, {
        tenantId: tenantOf(req),
        fromMs,
        toMs,
        lineLimit: pageLimit(req.query.limit),
      });
    },
  );

  app.get(
    '/v1/audit/events',
    { onRequest: read, schema: { tags: ['audit'], querystring: Type.Object({ aggregateId: Id }) } },
    async (req) => {
      const history = await aggregateHistory(
        { log: engines.log, codec: engines.bus.codec },
        tenantOf(req),
        req.query.aggregateId,
      );
      if (history === null || history.length === 0) {
        throw new PaystreamError(
          'aggregate_not_found',
          `no events for ${req.query.aggregateId}`,
          'aggregateId',
        );
      }
      return {
        aggregateId: req.query.aggregateId,
        verified: history.every((h) => h.verified),
        events: history.map((h) => ({
          eventId: h.envelope.eventId,
          type: h.envelope.type,
          aggregateVersion: h.envelope.aggregateVersion,
          occurredAt: new Date(h.envelope.occurredAtMs).toISOString(),
          causationId: h.envelope.causationId,
          correlationId: h.envelope.correlationId,
          prevHash: h.envelope.prevHash,
          hash: h.envelope.hash,
          verified: h.verified,
          position: { topic: h.topic, partition: h.partition, offset: h.offset },
          payload: redactPayload(h.envelope.payload),
        })),
      };
    },
  );

  app.get(
    '/v1/audit/rejections',
    {
      onRequest: read,
      schema: {
        summary: "The tenant's rejected commands, newest first (accepted with 202, then refused downstream)",
        tags: ['audit'],
        querystring: Type.Object(Page),
      },
    },
    async (req) => {
      const result = await page(store, REJECTIONS, 'by_tenant', tenantOf(req), req.query);
      return { data: result.items.map(rejectionView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      onRequest: admin,
      schema: {
        summary:
          "Verify hashes and chains: a tenant admin its own tenant's, a platform operator the whole log",
        tags: ['audit'],
      },
    },
    async (req, reply) => {
      const auth = authOf(req);
      const report = await verifyEventLog(engines, undefined, isOperator(auth) ? undefined : auth.tenant.id);
      return reply.status(200).send(report);
    },
  );
}
