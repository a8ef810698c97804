// The platform fee, in basis points of the amount released to the provider. Refunds carry no
// fee: the platform earns only on money that reaches the provider.
//
// Partial releases must not lose or invent a cent through rounding. Rounding each release's
// fee on its own would: three releases of $1.06 at 8% are 8¢ each (8.48¢ rounded), 24¢ in
// all, but 8% of $3.18 is 25¢ (25.44¢). So the fee of each release is the fee on everything
// released so far minus the fees already taken (8¢, 9¢, 8¢ here): the sum of
// the fees always equals the fee on the total, exactly.

import { basisPointsOf, invariant, PaystreamError } from '@paystream/core';

/** 8%: the tenant default when a tenant sets none (ARCHITECTURE.md §4). */
export const DEFAULT_PLATFORM_FEE_BPS = 800;
export const MAX_PLATFORM_FEE_BPS = 10_000;

export function isValidFeeBps(bps: number): boolean {
  return Number.isInteger(bps) && bps >= 0 && bps <= MAX_PLATFORM_FEE_BPS;
}

/** The fee for one payment: its own override if it has one, else the tenant's default. */
export function resolvePlatformFeeBps(
  overrideBps: number | null | undefined,
  tenantDefaultBps: number = DEFAULT_PLATFORM_FEE_BPS,
): number {
  const bps = overrideBps ?? tenantDefaultBps;
  if (!isValidFeeBps(bps)) {
    throw new PaystreamError(
      'invalid_fee',
      `platform fee must be an integer 0..${MAX_PLATFORM_FEE_BPS} basis points, got ${bps}`,
      'platformFeeBps',
    );
  }
  return bps;
}

export interface ReleaseSplit {
  readonly feeMinor: number;
  readonly netMinor: number;
}

/**
 * Splits one release into fee and net, given what earlier releases of the same payment took.
 * The cumulative fee is monotone in the released total and grows by at most one cent per
 * cent released (bps ≤ 10000), so 0 ≤ fee ≤ amount always holds.
 */
export function splitRelease(args: {
  readonly amountMinor: number;
  readonly releasedBeforeMinor: number;
  readonly feesBeforeMinor: number;
  readonly feeBps: number;
}): ReleaseSplit {
  const { amountMinor, releasedBeforeMinor, feesBeforeMinor, feeBps } = args;
  invariant(Number.isSafeInteger(amountMinor) && amountMinor > 0, 'a release moves a positive amount');
  invariant(
    feesBeforeMinor === basisPointsOf(releasedBeforeMinor, feeBps),
    'fees taken so far equal the fee on the amount released so far',
  );
  const feeMinor = basisPointsOf(releasedBeforeMinor + amountMinor, feeBps) - feesBeforeMinor;
  const netMinor = amountMinor - feeMinor;
  invariant(feeMinor >= 0 && netMinor >= 0, 'a release splits into a non-negative fee and net');
  return { feeMinor, netMinor };
}
