// Cost analytics over the read models: per payment, per day and for the tenant, over a time
// range. Computed when asked, from idempotent items (payments, cards, payouts, files), so the
// rollups can never count an event twice; the range is bounded so one request stays cheap.

import { PaystreamError } from '@paystream/core';
import { isPayment, type PaymentState } from '@paystream/escrow';
import type { Item, ReadStore } from '@paystream/readstore';
import type { PaymentMovement } from '../projections/payments.js';
import { ACH_BATCHES, CARDS, PAYMENTS, PAYOUT_FILES, RELEASE_PAYOUTS } from '../tables.js';
import {
  addInto,
  type CostBreakdown,
  costInMinor,
  type PaymentCostInput,
  paymentCost,
  toMinor,
  zeroTotals,
} from './model.js';
import type { PriceTable } from './prices.js';
import { basisPoints, divHalfEven } from './rounding.js';

/** Payments one report may cover (larger ranges: ask for less time). */
export const MAX_PAYMENTS_PER_REPORT = 100_000;
const PAGE = 1_000;

export interface PaymentCostLine extends Record<string, unknown> {
  readonly paymentId: string;
  readonly createdAt: string;
  readonly status: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly capturedMinor: number;
  readonly brand: string | null;
}

class Lookup {
  readonly #cache = new Map<string, Item | null>();
  constructor(private readonly store: ReadStore) {}
  async get(table: typeof CARDS, key: Record<string, string>): Promise<Item | null> {
    const k = `${table.name}|${Object.values(key).join('|')}`;
    if (this.#cache.has(k)) return this.#cache.get(k) ?? null;
    const item = await this.store.get(table, key);
    this.#cache.set(k, item);
    return item;
  }
}

async function inputOf(
  lookup: Lookup,
  p: Item,
  state: PaymentState & { status: string },
): Promise<PaymentCostInput | null> {
  if (!isPayment(state)) return null;
  const card = await lookup.get(CARDS, { id: state.paymentMethodId });
  const decline = p.decline as { stage?: string } | null;
  const releases: PaymentCostInput['releases'][number][] = [];
  for (const m of (p.movements ?? []) as unknown as PaymentMovement[]) {
    if (m.kind !== 'release') continue;
    const rp = await lookup.get(RELEASE_PAYOUTS, { releaseId: m.id });
    let entriesInFile: number | null = null;
    if (rp) {
      const file = await lookup.get(PAYOUT_FILES, { payoutId: rp.payoutId as string });
      const batch = file ? await lookup.get(ACH_BATCHES, { id: file.batchId as string }) : null;
      entriesInFile = batch ? (batch.entryCount as number) : null;
    }
    releases.push({
      netMinor: m.netMinor,
      payout: rp ? { amountMinor: rp.payoutAmountMinor as number, entriesInFile } : null,
    });
  }
  return {
    currency: state.currency,
    capturedMinor: state.capturedMinor,
    authorizationAttempted: state.authorizationId !== null || decline?.stage === 'network',
    eventCount: p.v as number,
    brand: card ? (card.brand as string) : null,
    releases,
  };
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface CostReportOptions {
  readonly tenantId: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Per-payment lines to include (the rollups always cover the whole range). */
  readonly lineLimit: number;
}

export async function costReport(store: ReadStore, prices: PriceTable, o: CostReportOptions) {
  const lookup = new Lookup(store);
  const totals = zeroTotals();
  const days = new Map<
    string,
    { payments: number; captured: number; volumeMinor: number; totals: ReturnType<typeof zeroTotals> }
  >();
  const lines: PaymentCostLine[] = [];
  let payments = 0;
  let otherCurrency = 0;
  let volumeMinor = 0;
  let cursor: string | undefined;
  do {
    const page = await store.query(PAYMENTS, {
      index: 'by_tenant_created',
      pk: o.tenantId,
      range: { gte: o.fromMs, lte: o.toMs - 1 },
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const p of page.items) {
      payments += 1;
      if (payments > MAX_PAYMENTS_PER_REPORT) {
        throw new PaystreamError(
          'range_too_large',
          `more than ${MAX_PAYMENTS_PER_REPORT} payments in the range; ask for a shorter one`,
          'from',
        );
      }
      const state = p.state as unknown as PaymentState & { status: string };
      const input = await inputOf(lookup, p, state);
      if (input === null) continue;
      if (input.currency !== prices.currency) {
        otherCurrency += 1; // the price table is in one currency: not priced rather than mispriced
        continue;
      }
      const c: CostBreakdown = paymentCost(prices, input);
      addInto(totals, c);
      volumeMinor += input.capturedMinor;
      const d = day(p.createdAtMs as number);
      const dd = days.get(d) ?? { payments: 0, captured: 0, volumeMinor: 0, totals: zeroTotals() };
      dd.payments += 1;
      if (input.capturedMinor > 0) dd.captured += 1;
      dd.volumeMinor += input.capturedMinor;
      addInto(dd.totals, c);
      days.set(d, dd);
      if (lines.length < o.lineLimit) {
        lines.push({
          paymentId: p.id as string,
          createdAt: new Date(p.createdAtMs as number).toISOString(),
          status: state.status,
          currency: input.currency,
          amountMinor: isPayment(state) ? state.amountMinor : 0,
          capturedMinor: input.capturedMinor,
          brand: input.brand,
          ...costInMinor(c),
        });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const reported = costInMinor(totals);
  return {
    tenantId: o.tenantId,
    from: new Date(o.fromMs).toISOString(),
    to: new Date(o.toMs).toISOString(),
    currency: prices.currency,
    pricesReviewedOn: prices.reviewedOn,
    payments,
    notPricedOtherCurrency: otherCurrency,
    volumeMinor,
    totals: reported,
    savingBps: basisPoints(reported.savingMinor!, volumeMinor),
    projection: projectCosts(reported, o.toMs - o.fromMs),
    days: [...days.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, d]) => ({
        date,
        payments: d.payments,
        captured: d.captured,
        volumeMinor: d.volumeMinor,
        ...costInMinor(d.totals),
      })),
    paymentLines: lines,
    linesTruncated: lines.length < payments,
  };
}

const DAY_MS = 24 * 3600 * 1000;
const YEAR_MS = 365n * BigInt(DAY_MS);

/**
 * The range's figures at the same rate for a month (a twelfth of a 365-day year) and a year:
 * baseline and ours are scaled (half to even) and the saving is again their difference.
 */
export function projectCosts(reported: Record<string, number>, rangeMs: number) {
  const scale = (minor: number, periodMs: bigint, perYear: bigint) =>
    Number(divHalfEven(BigInt(minor) * periodMs, BigInt(rangeMs) * perYear));
  const at = (perYear: bigint) => {
    const processorBaselineMinor = scale(reported.processorBaselineMinor ?? 0, YEAR_MS, perYear);
    const ourCostMinor = scale(reported.ourCostMinor ?? 0, YEAR_MS, perYear);
    return { processorBaselineMinor, ourCostMinor, savingMinor: processorBaselineMinor - ourCostMinor };
  };
  return { rangeDays: rangeMs / DAY_MS, monthly: at(12n), yearly: at(1n) };
}

export { toMinor };
