import { describe, expect, it } from 'vitest';
import { fedHolidays, isFedHoliday } from './fed-holidays.js';

const observed = (year: number) => fedHolidays(year).map((h) => [h.name, h.observed]);

describe('Federal Reserve holidays by rule', () => {
  it('2026: July 4 falls on a Saturday and is not observed (the Fed is open Friday July 3)', () => {
    expect(observed(2026)).toEqual([
      ["New Year's Day", '2026-01-01'],
      ['Birthday of Martin Luther King, Jr.', '2026-01-19'],
      ["Washington's Birthday", '2026-02-16'],
      ['Memorial Day', '2026-05-25'],
      ['Juneteenth National Independence Day', '2026-06-19'],
      ['Independence Day', undefined],
      ['Labor Day', '2026-09-07'],
      ['Columbus Day', '2026-10-12'],
      ['Veterans Day', '2026-11-11'],
      ['Thanksgiving Day', '2026-11-26'],
      ['Christmas Day', '2026-12-25'],
    ]);
    expect(isFedHoliday('2026-07-03')).toBe(false);
    expect(isFedHoliday('2026-07-04')).toBe(false);
  });

  it('a Sunday holiday is observed on Monday (New Year 2023, Juneteenth 2022, Christmas 2022)', () => {
    expect(isFedHoliday('2023-01-02')).toBe(true);
    expect(isFedHoliday('2022-06-20')).toBe(true);
    expect(isFedHoliday('2022-12-26')).toBe(true);
  });

  it('a Saturday holiday is not moved to Friday (New Year 2022: Dec 31, 2021 was a banking day)', () => {
    expect(isFedHoliday('2021-12-31')).toBe(false);
    expect(fedHolidays(2022)[0]).toEqual({ name: "New Year's Day", date: '2022-01-01', observed: undefined });
  });

  it('Juneteenth applies from 2022, when the Reserve Banks first closed for it', () => {
    expect(fedHolidays(2021).some((h) => h.name.startsWith('Juneteenth'))).toBe(false);
    expect(isFedHoliday('2025-06-19')).toBe(true);
  });

  it('floating holidays land on the right weekday in any year', () => {
    for (let y = 1990; y <= 2100; y++) {
      for (const h of fedHolidays(y)) {
        const dow = new Date(`${h.date}T00:00:00Z`).getUTCDay();
        if (h.name === 'Thanksgiving Day') expect(dow).toBe(4);
        if (['Memorial Day', 'Labor Day', 'Columbus Day', "Washington's Birthday"].includes(h.name))
          expect(dow).toBe(1);
        if (h.observed !== undefined)
          expect([1, 2, 3, 4, 5]).toContain(new Date(`${h.observed}T00:00:00Z`).getUTCDay());
      }
    }
  });

  it('refuses years it cannot compute', () => {
    expect(() => fedHolidays(1900)).toThrow(/1971/);
  });
});
