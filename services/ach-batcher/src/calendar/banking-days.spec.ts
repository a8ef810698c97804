import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBankingDays, isBankingDay, nextBankingDay, previousBankingDay } from './banking-days.js';
import { addDays } from './fed-holidays.js';

describe('banking days', () => {
  it('weekends and Fed holidays are not banking days', () => {
    expect(isBankingDay('2026-03-02')).toBe(true); // Monday
    expect(isBankingDay('2026-03-07')).toBe(false); // Saturday
    expect(isBankingDay('2026-11-26')).toBe(false); // Thanksgiving
    expect(isBankingDay('2026-07-03')).toBe(true); // Friday before a Saturday July 4
  });

  it('nextBankingDay skips a holiday weekend', () => {
    expect(nextBankingDay('2026-01-16')).toBe('2026-01-20'); // Fri → MLK Monday → Tue
    expect(nextBankingDay('2026-12-24')).toBe('2026-12-28'); // Thu → Christmas Fri → Mon
    expect(previousBankingDay('2026-01-20')).toBe('2026-01-16');
  });

  it('addBankingDays counts only banking days, both directions', () => {
    expect(addBankingDays('2026-11-25', 1)).toBe('2026-11-27');
    expect(addBankingDays('2026-11-25', 3)).toBe('2026-12-01');
    expect(addBankingDays('2026-12-01', -3)).toBe('2026-11-25');
    expect(addBankingDays('2026-03-07', 0)).toBe('2026-03-09');
    expect(() => addBankingDays('2026-02-30', 1)).toThrow(/not a real calendar date/);
  });

  it('property: n banking days forward then n back returns to a banking day start', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 1, max: 40 }), (offset, n) => {
        const start = addBankingDays(addDays('2024-01-01', offset), 0);
        const there = addBankingDays(start, n);
        expect(isBankingDay(there)).toBe(true);
        expect(there > start).toBe(true);
        expect(addBankingDays(there, -n)).toBe(start);
      }),
      { numRuns: 200 },
    );
  });
});
