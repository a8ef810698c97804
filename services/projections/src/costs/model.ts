// What one payment cost us, what a processor would have charged, and the saving — in integer
// arithmetic throughout: prices are nanoMinor (1e-9 of a cent) and ppm, sums are BigInt, and
// only the reported figures are rounded (half up) to minor units. Rounding happens once per
// figure, so a rollup is the rounded sum of exact amounts, not a sum of rounded ones.

import type { PriceTable } from './prices.js';
import { apportion } from './rounding.js';

const NANO = 1_000_000_000n;
const PPM = 1_000_000n;

/** nanoMinor → minor units, rounded half up (amounts here are never negative except savings). */
export function toMinor(nano: bigint): number {
  const sign = nano < 0n ? -1n : 1n;
  const abs = nano * sign;
  return Number(sign * ((abs + NANO / 2n) / NANO));
}

/** amountMinor × ppm, in nanoMinor (exact). */
function rate(amountMinor: number, ppm: number): bigint {
  return (BigInt(amountMinor) * BigInt(ppm) * NANO) / PPM;
}

export interface PaymentCostInput {
  readonly currency: string;
  readonly capturedMinor: number;
  /** The payment reached the network (authorized, or declined by it). */
  readonly authorizationAttempted: boolean;
  /** Events on the payment's aggregate (log, projection and compute work scale with them). */
  readonly eventCount: number;
  readonly brand: string | null;
  /** Each release's net to the provider and the payout that carried it, if any yet. */
  readonly releases: readonly {
    readonly netMinor: number;
    readonly payout: { readonly amountMinor: number; readonly entriesInFile: number | null } | null;
  }[];
}

export interface CostBreakdown {
  readonly passThrough: bigint;
  readonly acquirer: bigint;
  readonly infrastructure: bigint;
  readonly ach: bigint;
  readonly ours: bigint;
  readonly baselineCard: bigint;
  readonly baselinePayout: bigint;
  readonly baseline: bigint;
  readonly saving: bigint;
}

/** The infrastructure share of one event: fixed monthly costs spread over the assumed volume. */
export function perEventInfrastructure(prices: PriceTable): bigint {
  const i = prices.infrastructure;
  const d = prices.deployment;
  const hours = BigInt(d.hoursPerMonth);
  const msk =
    BigInt(d.mskBrokers) * BigInt(i.mskBrokerHour.nanoMinor) * hours +
    BigInt(d.mskStorageGb) * BigInt(i.mskStorageGbMonth.nanoMinor);
  const compute =
    BigInt(d.computeVcpus) * BigInt(i.computeVcpuHour.nanoMinor) * hours +
    BigInt(d.computeGb) * BigInt(i.computeGbHour.nanoMinor) * hours;
  const fixedPerEvent = (msk + compute) / BigInt(d.assumedEventsPerMonth);
  const dynamo =
    BigInt(d.dynamodbWriteUnitsPerEvent) * BigInt(i.dynamodbWriteRequestUnit.nanoMinor) +
    BigInt(d.dynamodbReadUnitsPerEvent) * BigInt(i.dynamodbReadRequestUnit.nanoMinor);
  return fixedPerEvent + dynamo;
}

export function paymentCost(prices: PriceTable, p: PaymentCostInput): CostBreakdown {
  const net = prices.cardNetworks[p.brand ?? 'default'] ?? prices.cardNetworks.default;
  const captured = p.capturedMinor > 0;
  const passThrough =
    (captured
      ? rate(p.capturedMinor, net.interchangePpm) +
        BigInt(net.interchangeFixedNanoMinor) +
        rate(p.capturedMinor, net.networkPpm)
      : 0n) + (p.authorizationAttempted ? BigInt(net.networkPerAuthNanoMinor) : 0n);
  const acquirer = captured
    ? rate(p.capturedMinor, prices.acquirer.markupPpm) + BigInt(prices.acquirer.markupFixedNanoMinor)
    : 0n;
  const infrastructure =
    BigInt(p.eventCount) * perEventInfrastructure(prices) +
    BigInt(prices.deployment.kmsRequestsPerPayment) * BigInt(prices.infrastructure.kmsRequest.nanoMinor);
  const a = prices.ach;
  let ach = 0n;
  let baselinePayout = 0n;
  const b = prices.processorBaseline;
  for (const r of p.releases) {
    if (r.netMinor <= 0 || r.payout === null || r.payout.amountMinor <= 0) continue;
    // The payout's cost, shared by its releases in proportion to what each contributed.
    const fileShare = r.payout.entriesInFile
      ? (BigInt(a.perFile.nanoMinor) + BigInt(a.perBatch.nanoMinor)) / BigInt(r.payout.entriesInFile)
      : 0n;
    const payoutCost = BigInt(a.perEntry.nanoMinor) + fileShare;
    ach += (payoutCost * BigInt(r.netMinor)) / BigInt(r.payout.amountMinor);
    baselinePayout +=
      rate(r.netMinor, b.payoutPpm) +
      (BigInt(b.payoutFixedNanoMinor) * BigInt(r.netMinor)) / BigInt(r.payout.amountMinor);
  }
  const baselineCard = captured ? rate(p.capturedMinor, b.cardPpm) + BigInt(b.cardFixedNanoMinor) : 0n;
  const ours = passThrough + acquirer + infrastructure + ach;
  const baseline = baselineCard + baselinePayout;
  return {
    passThrough,
    acquirer,
    infrastructure,
    ach,
    ours,
    baselineCard,
    baselinePayout,
    baseline,
    saving: baseline - ours,
  };
}

export type CostTotals = { -readonly [K in keyof CostBreakdown]: bigint };

export function zeroTotals(): CostTotals {
  return {
    passThrough: 0n,
    acquirer: 0n,
    infrastructure: 0n,
    ach: 0n,
    ours: 0n,
    baselineCard: 0n,
    baselinePayout: 0n,
    baseline: 0n,
    saving: 0n,
  };
}

export function addInto(into: CostTotals, c: CostBreakdown): void {
  for (const k of Object.keys(into) as (keyof CostTotals)[]) into[k] += c[k];
}

/**
 * The breakdown in minor units, as the API reports it. Ours and the baseline are each rounded
 * once (half up); their parts are apportioned so they add up to them; and the saving is the
 * difference of the two rounded figures, so baseline − ours = saving to the cent on any report.
 */
export function costInMinor(c: CostBreakdown): Record<string, number> {
  const ours = BigInt(toMinor(c.ours));
  const baseline = BigInt(toMinor(c.baseline));
  const [passThrough, acquirer, infrastructure, ach] = apportion(
    [c.passThrough, c.acquirer, c.infrastructure, c.ach],
    NANO,
    ours,
  );
  const [card, payout] = apportion([c.baselineCard, c.baselinePayout], NANO, baseline);
  return {
    ourCostMinor: Number(ours),
    passThroughMinor: Number(passThrough),
    acquirerMinor: Number(acquirer),
    infrastructureMinor: Number(infrastructure),
    achMinor: Number(ach),
    processorBaselineMinor: Number(baseline),
    processorCardFeeMinor: Number(card),
    processorPayoutFeeMinor: Number(payout),
    savingMinor: Number(baseline - ours),
  };
}
