// Read endpoints the operator console needs beyond the contract's resource reads: payment
// search, the overview's figures, the review queue, providers, returns, ledger accounts, the
// log tail, and (admin) consumer lag, dead letters and health. Tenant-scoped like every read
// (another tenant's data is never counted or shown), bounded scans with the bound stated, and
// documented in the OpenAPI at /docs under the `console` tag.

import { requireScope, type TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import { paymentIdFor } from '@paystream/escrow';
import { accountKind } from '@paystream/ledger';
import type { Item, ReadStore } from '@paystream/readstore';
import type { HttpServer, ServiceContext } from '@paystream/runtime';
import { Type } from '@sinclair/typebox';
import { consumerLag, deadLetters, MAX_TAIL_EVENTS, tailEvents } from '../console/log-tail.js';
import { isRangeName, RANGES, summarize } from '../console/overview.js';
import { matchesPayment, parsePaymentFilter } from '../console/payment-filter.js';
import { loadPriceTable, type PriceTable } from '../costs/prices.js';
import { costReport } from '../costs/report.js';
import { providerBalances, queryAll, tenantTrialBalance } from '../queries/balances.js';
import { ACH_RETURNS, LEDGER_ACCOUNTS, PAYMENTS } from '../tables.js';
import { paymentView, redactPayload } from './views.js';

/** Payments one search or overview may examine (newest first); beyond it, narrow the range. */
export const MAX_SCANNED_PAYMENTS = 20_000;
const SCAN_PAGE = 500;

export interface ConsoleRoutesDeps {
  readonly ctx: Pick<ServiceContext, 'engines'>;
  readonly directory: TenantDirectory;
  readonly prices?: PriceTable;
}

const Id = Type.String({ minLength: 1, maxLength: 200 });
/** What an Idempotency-Key may be (the same rule ingest applies when it is used). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const Limit = Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' }));

function limitOf(raw: string | undefined, dflt: number, max: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (n < 1 || n > max) throw new PaystreamError('invalid_limit', `limit must be 1..${max}`, 'limit');
  return n;
}

function timeOf(raw: string | undefined, field: string): number | null {
  if (raw === undefined || raw === '') return null;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Date.parse(raw);
  if (!Number.isFinite(ms))
    throw new PaystreamError(
      'invalid_field',
      `${field} must be a date (YYYY-MM-DD) or an ISO 8601 time`,
      field,
    );
  return ms;
}

/**
 * Where a search goes on: the store's cursor of the page it stopped in and how many items of
 * that page it had looked at, so a page of results holds exactly `limit` and none is skipped.
 */
interface ScanCursor {
  readonly c: string | null;
  readonly s: number;
}

function encodeScanCursor(c: ScanCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeScanCursor(raw: string | undefined): ScanCursor {
  if (raw === undefined) return { c: null, s: 0 };
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as ScanCursor;
    if ((v.c === null || typeof v.c === 'string') && Number.isInteger(v.s) && v.s >= 0 && v.s < SCAN_PAGE)
      return v;
  } catch {
    // fall through
  }
  throw new PaystreamError('invalid_cursor', 'cursor is not one this endpoint returned', 'cursor');
}

/** Newest first within [fromMs, toMs); stops at `want` matches or the scan bound. */
async function scanPayments(
  store: ReadStore,
  tenantId: string,
  o: { fromMs: number; toMs: number; want: number; cursor?: string; match: (p: Item) => boolean },
): Promise<{ items: Item[]; nextCursor: string | null; scanned: number; complete: boolean }> {
  const items: Item[] = [];
  const start = decodeScanCursor(o.cursor);
  let pageCursor = start.c;
  let skip = start.s;
  let scanned = 0;
  for (;;) {
    const page = await store.query(PAYMENTS, {
      index: 'by_tenant_created',
      pk: tenantId,
      range: { gte: o.fromMs, lte: o.toMs - 1 },
      descending: true,
      limit: SCAN_PAGE,
      ...(pageCursor ? { cursor: pageCursor } : {}),
    });
    for (let i = skip; i < page.items.length; i++) {
      scanned++;
      if (o.match(page.items[i]!)) items.push(page.items[i]!);
      const more = i + 1 < page.items.length || page.nextCursor !== null;
      if (items.length >= o.want || (scanned >= MAX_SCANNED_PAYMENTS && more)) {
        if (!more) return { items, nextCursor: null, scanned, complete: true };
        const next: ScanCursor =
          i + 1 < page.items.length ? { c: pageCursor, s: i + 1 } : { c: page.nextCursor, s: 0 };
        return { items, nextCursor: encodeScanCursor(next), scanned, complete: false };
      }
    }
    if (page.nextCursor === null) return { items, nextCursor: null, scanned, complete: true };
    pageCursor = page.nextCursor;
    skip = 0;
  }
}

export async function registerConsoleRoutes(app: HttpServer, deps: ConsoleRoutesDeps): Promise<void> {
  const { engines } = deps.ctx;
  const store = engines.readStore;
  const read = requireScope(deps.directory, 'read');
  const admin = requireScope(deps.directory, 'admin');
  const prices = deps.prices ?? loadPriceTable();
  const tenantOf = (req: { auth?: { tenant: { id: string } } }): string => {
    if (!req.auth) throw new Error('route without requireScope');
    return req.auth.tenant.id;
  };

  app.get(
    '/v1/console/session',
    {
      onRequest: read,
      schema: {
        summary: 'Who this key is: its tenant and scopes (what the console shows)',
        tags: ['console'],
      },
    },
    async (req) => {
      const auth = req.auth!;
      return { tenant: { id: auth.tenant.id, name: auth.tenant.name }, scopes: auth.scopes };
    },
  );

  app.get(
    '/v1/payments',
    {
      onRequest: read,
      schema: {
        summary: 'Search payments, newest first',
        description: `Filters: status (comma-separated), pendingStep, customerId, providerId, minAmount/maxAmount (minor units), from/to (created). Examines at most ${MAX_SCANNED_PAYMENTS} payments per page; follow nextCursor for more. idempotencyKey: the payment created with that key (over HTTP or as an inbound payment.create record), or none.`,
        tags: ['payments'],
        querystring: Type.Object({
          status: Type.Optional(Type.String({ maxLength: 200 })),
          pendingStep: Type.Optional(Type.String({ maxLength: 20 })),
          customerId: Type.Optional(Id),
          providerId: Type.Optional(Id),
          minAmount: Type.Optional(Type.String({ maxLength: 20 })),
          maxAmount: Type.Optional(Type.String({ maxLength: 20 })),
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Limit,
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
          idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        }),
      },
    },
    async (req) => {
      const filter = parsePaymentFilter(req.query);
      const key = req.query.idempotencyKey;
      if (key !== undefined) {
        // A producer that sent payment.create to the inbound topic knows its tenant and key, not
        // the id; the id follows from exactly those (paymentIdFor), so this is one read, and only
        // ever within the caller's tenant.
        if (!IDEMPOTENCY_KEY.test(key)) {
          throw new PaystreamError(
            'invalid_idempotency_key',
            'idempotencyKey must be 1–255 printable ASCII characters without spaces',
            'idempotencyKey',
          );
        }
        const tenantId = tenantOf(req);
        const item = await store.get(PAYMENTS, { id: paymentIdFor(tenantId, key) });
        const p = item !== null && item.tenantId === tenantId ? item : null;
        const hit = p !== null && matchesPayment(filter, p);
        return { data: hit ? [paymentView(p)] : [], nextCursor: null, scanned: p === null ? 0 : 1 };
      }
      const fromMs = timeOf(req.query.from, 'from') ?? 0;
      const toMs = timeOf(req.query.to, 'to') ?? engines.clock.nowMs() + 1;
      if (fromMs >= toMs) throw new PaystreamError('invalid_field', 'from must be before to', 'from');
      const result = await scanPayments(store, tenantOf(req), {
        fromMs,
        toMs,
        want: limitOf(req.query.limit, 50, 100),
        ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
        match: (p) => matchesPayment(filter, p),
      });
      return { data: result.items.map(paymentView), nextCursor: result.nextCursor, scanned: result.scanned };
    },
  );

  app.get(
    '/v1/console/overview',
    {
      onRequest: read,
      schema: {
        summary: 'Payment performance, costs and books for a time range (hour, day, week)',
        tags: ['console'],
        querystring: Type.Object({ range: Type.Optional(Type.String({ maxLength: 10 })) }),
      },
    },
    async (req) => {
      const range = req.query.range ?? 'day';
      if (!isRangeName(range))
        throw new PaystreamError(
          'invalid_field',
          `range must be one of ${Object.keys(RANGES).join(', ')}`,
          'range',
        );
      const tenantId = tenantOf(req);
      const toMs = engines.clock.nowMs() + 1;
      const fromMs = toMs - RANGES[range].ms;
      const scan = await scanPayments(store, tenantId, {
        fromMs,
        toMs,
        want: Number.POSITIVE_INFINITY,
        match: () => true,
      });
      const [costs, tb] = await Promise.all([
        costReport(store, prices, { tenantId, fromMs, toMs, lineLimit: 0 }),
        tenantTrialBalance(store, tenantId),
      ]);
      return {
        ...summarize(scan.items, range, toMs),
        complete: scan.complete,
        costs: {
          currency: costs.currency,
          volumeMinor: costs.volumeMinor,
          ...costs.totals,
          savingBps: costs.savingBps,
          projection: costs.projection,
          pricesReviewedOn: costs.pricesReviewedOn,
        },
        trialBalance: { balanced: tb.balanced, currencies: tb.currencies },
      };
    },
  );

  app.get(
    '/v1/console/review-queue',
    {
      onRequest: read,
      schema: {
        summary: 'Payments waiting for a fraud review, oldest first, with the model’s reasons',
        tags: ['console'],
        querystring: Type.Object({ limit: Limit }),
      },
    },
    async (req) => {
      const result = await scanPayments(store, tenantOf(req), {
        fromMs: 0,
        toMs: engines.clock.nowMs() + 1,
        want: limitOf(req.query.limit, 100, 500),
        match: (p) => {
          const s = p.state as Record<string, unknown>;
          return s?.status === 'pending' && s.pendingStep === 'review';
        },
      });
      return { data: result.items.map(paymentView).reverse(), complete: result.complete };
    },
  );

  app.get(
    '/v1/providers',
    {
      onRequest: read,
      schema: {
        summary: 'Every provider with its balances (held, available, in transit, paid)',
        tags: ['providers'],
      },
    },
    async (req) => {
      const tenantId = tenantOf(req);
      const accounts = await queryAll(store, LEDGER_ACCOUNTS, { index: 'by_tenant', pk: tenantId });
      const ids = new Set<string>();
      for (const a of accounts) {
        const m = /^provider:(.+):[a-z_]+$/.exec(String(a.accountId));
        if (m) ids.add(m[1]!);
      }
      const data = [];
      for (const id of [...ids].sort()) {
        data.push({ providerId: id, balances: (await providerBalances(store, tenantId, id)) ?? [] });
      }
      return { data };
    },
  );

  app.get(
    '/v1/ach/returns',
    {
      onRequest: read,
      schema: {
        summary: 'ACH returns received, newest first',
        tags: ['ach'],
        querystring: Type.Object({ limit: Limit }),
      },
    },
    async (req) => {
      const page = await store.query(ACH_RETURNS, {
        index: 'by_tenant',
        pk: tenantOf(req),
        descending: true,
        limit: limitOf(req.query.limit, 50, 100),
      });
      return {
        data: page.items.map((r) => ({
          id: r.id,
          payoutId: r.payoutId,
          code: r.returnCode,
          description: r.description,
          amount: r.amountMinor,
          currency: r.currency,
          traceNumber: r.traceNumber,
          receivedAt: new Date(r.receivedAtMs as number).toISOString(),
        })),
      };
    },
  );

  app.get(
    '/v1/ledger/accounts',
    {
      onRequest: read,
      schema: { summary: 'Every ledger account of the tenant with its balances', tags: ['ledger'] },
    },
    async (req) => {
      const shards = await queryAll(store, LEDGER_ACCOUNTS, { index: 'by_tenant', pk: tenantOf(req) });
      const by = new Map<string, { balance: number; debits: number; credits: number; postings: number }>();
      for (const s of shards) {
        const k = `${s.accountId}|${s.currency}`;
        const b = by.get(k) ?? { balance: 0, debits: 0, credits: 0, postings: 0 };
        b.balance += s.balanceMinor as number;
        b.debits += s.debitsMinor as number;
        b.credits += s.creditsMinor as number;
        b.postings += s.postingCount as number;
        by.set(k, b);
      }
      return {
        data: [...by.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, b]) => {
            const [id, currency] = k.split('|') as [string, string];
            return { id, kind: accountKind(id), currency, ...b };
          }),
      };
    },
  );

  app.get(
    '/v1/console/events',
    {
      onRequest: read,
      schema: {
        summary: 'The tenant’s newest events from the log (live tail, journal, notifications of change)',
        description: 'Reads back at most the newest 500 records of each events partition.',
        tags: ['console'],
        querystring: Type.Object({
          type: Type.Optional(Type.String({ pattern: '^[A-Za-z,]{1,200}$' })),
          limit: Limit,
        }),
      },
    },
    async (req) => {
      const events = await tailEvents({ log: engines.log, codec: engines.bus.codec }, tenantOf(req), {
        types: req.query.type ? new Set(req.query.type.split(',')) : null,
        limit: limitOf(req.query.limit, 50, MAX_TAIL_EVENTS),
      });
      return {
        data: events.map((e) => ({
          eventId: e.envelope.eventId,
          type: e.envelope.type,
          aggregateId: e.envelope.aggregateId,
          aggregateVersion: e.envelope.aggregateVersion,
          occurredAt: new Date(e.envelope.occurredAtMs).toISOString(),
          position: { partition: e.partition, offset: e.offset },
          payload: redactPayload(e.envelope.payload),
        })),
      };
    },
  );

  app.get(
    '/v1/console/infrastructure',
    {
      onRequest: admin,
      schema: {
        summary: 'Consumer lag per group, the newest dead letters with reasons, service health (admin)',
        tags: ['console'],
      },
    },
    async (req) => {
      const health = await app.inject({ method: 'GET', url: '/health' });
      return {
        consumers: await consumerLag(engines.log),
        deadLetters: await deadLetters({ log: engines.log, codec: engines.bus.codec }, tenantOf(req), 50),
        health: { status: health.statusCode === 200 ? 'ok' : 'degraded', ...health.json() },
      };
    },
  );
}
