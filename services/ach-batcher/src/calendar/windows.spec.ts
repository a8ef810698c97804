import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_CONFIG,
  isSameDayEligible,
  localInstant,
  nextWindow,
  validateWindowConfig,
  type WindowConfig,
  windowsClosingBetween,
  windowsOn,
} from './windows.js';

const ny = (date: string, hhmm: string) => localInstant(date, hhmm, 'America/New_York');

describe('submission windows', () => {
  it('a banking day has three same-day windows and a next-day window, in New York time', () => {
    const ws = windowsOn('2026-03-02');
    expect(ws.map((w) => [w.id, w.effectiveEntryDate])).toEqual([
      ['2026-03-02/same-day-1', '2026-03-02'],
      ['2026-03-02/same-day-2', '2026-03-02'],
      ['2026-03-02/same-day-3', '2026-03-02'],
      ['2026-03-02/next-day', '2026-03-03'],
    ]);
    // EST in March before the DST switch: 10:30 ET = 15:30Z.
    expect(ws[0]?.closesAtMs).toBe(Date.UTC(2026, 2, 2, 15, 30));
    // Each window opens where the previous closed; the first opens at the previous banking day's last close.
    expect(ws[1]?.opensAtMs).toBe(ws[0]?.closesAtMs);
    expect(ws[0]?.opensAtMs).toBe(ny('2026-02-27', '20:00'));
  });

  it('follows daylight saving time: 10:30 ET is 14:30Z in summer', () => {
    expect(windowsOn('2026-07-06')[0]?.closesAtMs).toBe(Date.UTC(2026, 6, 6, 14, 30));
    // The Monday after the March switch.
    expect(windowsOn('2026-03-09')[0]?.closesAtMs).toBe(Date.UTC(2026, 2, 9, 14, 30));
  });

  it('gives the next open window and its close instant; at the deadline the window is closed', () => {
    expect(nextWindow(ny('2026-03-02', '09:00')).id).toBe('2026-03-02/same-day-1');
    expect(nextWindow(ny('2026-03-02', '10:30')).id).toBe('2026-03-02/same-day-2');
    expect(nextWindow(ny('2026-03-02', '10:29') + 59_999).id).toBe('2026-03-02/same-day-1');
    expect(nextWindow(ny('2026-03-02', '16:50')).id).toBe('2026-03-02/next-day');
    expect(nextWindow(ny('2026-03-02', '20:00')).id).toBe('2026-03-03/same-day-1');
    expect(nextWindow(ny('2026-03-02', '11:00'), DEFAULT_WINDOW_CONFIG, 'next-day').id).toBe(
      '2026-03-02/next-day',
    );
  });

  it('skips weekends and Federal Reserve holidays', () => {
    // Friday evening before MLK day → Tuesday.
    const w = nextWindow(ny('2026-01-16', '21:00'));
    expect(w.id).toBe('2026-01-20/same-day-1');
    expect(w.closesAtMs).toBe(ny('2026-01-20', '10:30'));
    // A next-day window on Wednesday before Thanksgiving settles on Friday.
    expect(windowsOn('2026-11-25')[3]?.effectiveEntryDate).toBe('2026-11-27');
    expect(() => windowsOn('2026-11-26')).toThrow(/not a banking day/);
  });

  it('lists the windows that closed in a span, oldest first', () => {
    const ids = windowsClosingBetween(ny('2026-03-06', '12:00'), ny('2026-03-09', '11:00')).map((w) => w.id);
    expect(ids).toEqual([
      '2026-03-06/same-day-2',
      '2026-03-06/same-day-3',
      '2026-03-06/next-day',
      '2026-03-09/same-day-1',
    ]);
  });

  it('everything is configuration: deadlines, zone, limit', () => {
    const cfg: WindowConfig = {
      timeZone: 'America/Chicago',
      sameDayDeadlines: ['09:00'],
      nextDayDeadline: '18:00',
      sameDayEntryLimitCents: 50_000,
    };
    const ws = windowsOn('2026-03-02', cfg);
    expect(ws.map((w) => w.id)).toEqual(['2026-03-02/same-day-1', '2026-03-02/next-day']);
    expect(ws[0]?.closesAtMs).toBe(Date.UTC(2026, 2, 2, 15, 0));
    expect(isSameDayEligible(50_000, cfg)).toBe(true);
    expect(isSameDayEligible(50_001, cfg)).toBe(false);
    expect(() => validateWindowConfig({ ...cfg, sameDayDeadlines: ['14:45', '10:30'] })).toThrow(/ascending/);
    expect(() => validateWindowConfig({ ...cfg, timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
  });

  it('the default same-day limit is $1,000,000.00 per entry', () => {
    expect(isSameDayEligible(100_000_000)).toBe(true);
    expect(isSameDayEligible(100_000_001)).toBe(false);
  });
});
