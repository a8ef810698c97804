// Netting: many escrow releases become one payout per provider and currency per window.
// Pure and deterministic: the same releases in any order give the same payouts, in the same
// order, with the same ids — so a redelivered "close window" produces identical events.
//
// Invariant (asserted, and property-tested): for every provider+currency, the payout amounts
// sum to exactly the release amounts, cent for cent; every release lands in exactly one payout
// or in `deferred`.

import { type Currency, deterministicId, invariant, money, PaystreamError } from '@paystream/core';
import type { SubmissionWindow } from '../calendar/windows.js';

export interface Release {
  readonly releaseId: string;
  readonly providerId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly releasedAtMs: number;
}

export type PayoutWindowKind = 'same-day' | 'next-day';

export interface Payout {
  /** Deterministic from window, provider and currency. */
  readonly payoutId: string;
  readonly providerId: string;
  readonly currency: Currency;
  readonly amountMinor: number;
  /** Sorted ascending, so the list is the same however the releases arrived. */
  readonly releaseIds: readonly string[];
  readonly windowId: string;
  /** A same-day window's payout above the same-day entry limit moves to next-day. */
  readonly windowKind: PayoutWindowKind;
  readonly effectiveEntryDate: string;
}

export interface NettingOptions {
  /** The window being closed. */
  readonly window: SubmissionWindow;
  /** Effective entry date used when a same-day payout is pushed to next-day. */
  readonly nextDayEffectiveEntryDate: string;
  readonly sameDayEntryLimitCents: number;
}

export interface NettingResult {
  readonly payouts: readonly Payout[];
  /** Released at or after the window closed: they belong to a later window. */
  readonly deferred: readonly Release[];
}

/** Upper bound on one call, so a runaway upstream cannot exhaust memory here. */
export const MAX_RELEASES_PER_NETTING = 5_000_000;

interface Group {
  providerId: string;
  currency: Currency;
  amountMinor: number;
  releaseIds: string[];
}

export function netReleases(releases: readonly Release[], options: NettingOptions): NettingResult {
  const { window } = options;
  if (releases.length > MAX_RELEASES_PER_NETTING) {
    throw new PaystreamError(
      'too_many_releases',
      `netting takes at most ${MAX_RELEASES_PER_NETTING} releases per call, got ${releases.length}`,
      'releases',
    );
  }
  if (!Number.isSafeInteger(options.sameDayEntryLimitCents) || options.sameDayEntryLimitCents < 1) {
    throw new PaystreamError(
      'invalid_window_config',
      'sameDayEntryLimitCents must be a positive integer',
      'sameDayEntryLimitCents',
    );
  }
  const seen = new Set<string>();
  const groups = new Map<string, Group>();
  const deferred: Release[] = [];
  let inputTotal = 0n;

  for (let i = 0; i < releases.length; i++) {
    const r = releases[i] as Release;
    if (typeof r.releaseId !== 'string' || r.releaseId === '') {
      throw new PaystreamError('invalid_release', `releases[${i}].releaseId is required`, 'releaseId');
    }
    if (seen.has(r.releaseId)) {
      throw new PaystreamError(
        'duplicate_release',
        `release ${r.releaseId} appears more than once`,
        'releaseId',
        { releaseId: r.releaseId },
      );
    }
    seen.add(r.releaseId);
    if (typeof r.providerId !== 'string' || r.providerId === '') {
      throw new PaystreamError(
        'invalid_release',
        `release ${r.releaseId}: providerId is required`,
        'providerId',
      );
    }
    // money() rejects floats and unknown currencies with stable codes.
    const m = money(r.amountMinor, r.currency);
    if (m.amountMinor <= 0) {
      throw new PaystreamError(
        'invalid_amount',
        `release ${r.releaseId}: amount must be positive, got ${m.amountMinor}`,
        'amountMinor',
      );
    }
    if (!Number.isFinite(r.releasedAtMs)) {
      throw new PaystreamError(
        'invalid_release',
        `release ${r.releaseId}: releasedAtMs must be epoch ms`,
        'releasedAtMs',
      );
    }
    if (r.releasedAtMs >= window.closesAtMs) {
      deferred.push(r);
      continue;
    }
    inputTotal += BigInt(m.amountMinor);
    const key = `${r.providerId}\u001f${m.currency}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { providerId: r.providerId, currency: m.currency, amountMinor: 0, releaseIds: [] };
      groups.set(key, g);
    }
    const sum = g.amountMinor + m.amountMinor;
    if (!Number.isSafeInteger(sum)) {
      throw new PaystreamError(
        'amount_overflow',
        `provider ${r.providerId}: payout total exceeds the safe integer range`,
        'amountMinor',
      );
    }
    g.amountMinor = sum;
    g.releaseIds.push(r.releaseId);
  }

  const ordered = [...groups.values()].sort((a, b) =>
    a.providerId < b.providerId
      ? -1
      : a.providerId > b.providerId
        ? 1
        : a.currency < b.currency
          ? -1
          : a.currency > b.currency
            ? 1
            : 0,
  );
  let outputTotal = 0n;
  const payouts: Payout[] = ordered.map((g) => {
    const overLimit = window.kind === 'same-day' && g.amountMinor > options.sameDayEntryLimitCents;
    const windowKind: PayoutWindowKind = window.kind === 'next-day' || overLimit ? 'next-day' : 'same-day';
    outputTotal += BigInt(g.amountMinor);
    return {
      payoutId: deterministicId('payout', window.id, g.providerId, g.currency),
      providerId: g.providerId,
      currency: g.currency,
      amountMinor: g.amountMinor,
      releaseIds: g.releaseIds.sort(),
      windowId: window.id,
      windowKind,
      effectiveEntryDate:
        windowKind === window.kind ? window.effectiveEntryDate : options.nextDayEffectiveEntryDate,
    };
  });
  deferred.sort((a, b) => (a.releaseId < b.releaseId ? -1 : a.releaseId > b.releaseId ? 1 : 0));
  invariant(outputTotal === inputTotal, `netting lost money: in ${inputTotal}, out ${outputTotal}`);
  return { payouts, deferred };
}
