import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowsOn } from '../calendar/windows.js';
import { netReleases, type Release } from './netting.js';

const [sameDay1, , , nextDay] = windowsOn('2026-03-02');
if (!sameDay1 || !nextDay) throw new Error('fixture windows');
const opts = {
  window: sameDay1,
  nextDayEffectiveEntryDate: '2026-03-03',
  sameDayEntryLimitCents: 100_000_000,
};
const before = sameDay1.closesAtMs - 60_000;

const rel = (
  releaseId: string,
  providerId: string,
  amountMinor: number,
  currency = 'USD',
  releasedAtMs = before,
): Release => ({
  releaseId,
  providerId,
  amountMinor,
  currency,
  releasedAtMs,
});

describe('netReleases', () => {
  it('nets many releases into one payout per provider and currency, in a stable order', () => {
    const { payouts, deferred } = netReleases(
      [
        rel('r3', 'prov_plumber', 9_200),
        rel('r1', 'prov_tutor', 4_600),
        rel('r2', 'prov_plumber', 18_400),
        rel('r4', 'prov_plumber', 500, 'CAD'),
      ],
      opts,
    );
    expect(deferred).toEqual([]);
    expect(payouts.map((p) => [p.providerId, p.currency, p.amountMinor, p.releaseIds, p.windowKind])).toEqual(
      [
        ['prov_plumber', 'CAD', 500, ['r4'], 'same-day'],
        ['prov_plumber', 'USD', 27_600, ['r2', 'r3'], 'same-day'],
        ['prov_tutor', 'USD', 4_600, ['r1'], 'same-day'],
      ],
    );
    expect(payouts[1]?.payoutId).toMatch(/^payout_[0-9a-f]{26}$/);
    expect(payouts[1]?.effectiveEntryDate).toBe('2026-03-02');
  });

  it('a payout above the same-day limit goes to the next-day window', () => {
    const { payouts } = netReleases(
      [
        rel('big1', 'prov_mover', 60_000_000),
        rel('big2', 'prov_mover', 40_000_001),
        rel('s', 'prov_cleaner', 100_000_000),
      ],
      opts,
    );
    expect(payouts.map((p) => [p.providerId, p.amountMinor, p.windowKind, p.effectiveEntryDate])).toEqual([
      ['prov_cleaner', 100_000_000, 'same-day', '2026-03-02'],
      ['prov_mover', 100_000_001, 'next-day', '2026-03-03'],
    ]);
  });

  it('in a next-day window everything is next-day', () => {
    const { payouts } = netReleases([rel('a', 'p1', 100)], { ...opts, window: nextDay });
    expect(payouts[0]).toMatchObject({
      windowKind: 'next-day',
      effectiveEntryDate: '2026-03-03',
      windowId: '2026-03-02/next-day',
    });
  });

  it('releases at or after the window closed are deferred to a later window, not netted', () => {
    const { payouts, deferred } = netReleases(
      [rel('late', 'p1', 100, 'USD', sameDay1.closesAtMs), rel('on-time', 'p1', 200)],
      opts,
    );
    expect(payouts.map((p) => p.amountMinor)).toEqual([200]);
    expect(deferred.map((r) => r.releaseId)).toEqual(['late']);
  });

  it('rejects duplicates, floats, non-positive amounts and unknown currencies with stable codes', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'no error';
    };
    expect(code(() => netReleases([rel('a', 'p', 1), rel('a', 'p', 2)], opts))).toBe('duplicate_release');
    expect(code(() => netReleases([rel('a', 'p', 10.5)], opts))).toBe('invalid_amount');
    expect(code(() => netReleases([rel('a', 'p', 0)], opts))).toBe('invalid_amount');
    expect(code(() => netReleases([rel('a', 'p', 1, 'XYZ')], opts))).toBe('unsupported_currency');
  });

  const releasesArb = fc
    .array(
      fc.record({
        providerId: fc.constantFrom('prov_a', 'prov_b', 'prov_c', 'prov_d'),
        amountMinor: fc.integer({ min: 1, max: 60_000_000 }),
        currency: fc.constantFrom('USD', 'CAD'),
        late: fc.boolean(),
      }),
      { maxLength: 200 },
    )
    .map((rs) =>
      rs.map((r, i) =>
        rel(
          `rel_${i}`,
          r.providerId,
          r.amountMinor,
          r.currency,
          r.late ? sameDay1.closesAtMs + i : before - i,
        ),
      ),
    );

  it('property: every cent of every release is conserved per provider and currency, each release used once', () => {
    fc.assert(
      fc.property(releasesArb, (releases) => {
        const { payouts, deferred } = netReleases(releases, opts);
        const used = [...payouts.flatMap((p) => p.releaseIds), ...deferred.map((r) => r.releaseId)];
        expect(used.sort()).toEqual(releases.map((r) => r.releaseId).sort());
        const expected = new Map<string, number>();
        for (const r of releases) {
          if (r.releasedAtMs >= sameDay1.closesAtMs) continue;
          const k = `${r.providerId}/${r.currency}`;
          expected.set(k, (expected.get(k) ?? 0) + r.amountMinor);
        }
        expect(new Map(payouts.map((p) => [`${p.providerId}/${p.currency}`, p.amountMinor]))).toEqual(
          expected,
        );
        for (const p of payouts) {
          expect(p.windowKind).toBe(p.amountMinor > 100_000_000 ? 'next-day' : 'same-day');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('property: the result does not depend on the order releases arrive in', () => {
    fc.assert(
      fc.property(
        releasesArb.chain((rs) =>
          fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length })),
        ),
        ([releases, shuffled]) => {
          expect(netReleases(shuffled, opts)).toEqual(netReleases(releases, opts));
        },
      ),
      { numRuns: 100 },
    );
  });
});
