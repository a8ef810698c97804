// `paystream demo` in this process on the embedded engines: a small day (150 payments, fixed
// seed), run twice. The books must balance, every documented path must show up in the summary,
// and what the seed decides must come out the same both times. Which payments of a fraud burst
// the model lets through can differ by one between runs (the fraud service sees the burst's
// payments across partitions in arrival order), so the fraud-driven totals are not compared.

import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoOptions, runDemo } from '../src/commands/demo.js';
import { planDemoDay } from '../src/commands/demo-plan.js';
import type { DemoSummary } from '../src/commands/demo-summary.js';

const OPTIONS: DemoOptions = {
  json: true,
  seed: 7,
  payments: 150,
  engine: 'embedded',
  data: null,
  progress: false,
};

let first: DemoSummary;
let second: DemoSummary;

beforeAll(async () => {
  first = await runDemo(OPTIONS);
  second = await runDemo(OPTIONS);
}, 90_000);

describe('paystream demo (embedded, 150 payments, seed 7)', () => {
  it('balances the books, verifies the audit chain and meets nothing unexpected', () => {
    expect(first.unexpected).toEqual({ count: 0, first: [] });
    expect(first.trialBalance.balanced).toBe(true);
    expect(first.trialBalance.currencies).toHaveLength(1);
    const usd = first.trialBalance.currencies[0]!;
    expect(usd.currency).toBe('USD');
    expect(usd.debits).toBeGreaterThan(0);
    expect(usd.debits).toBe(usd.credits);
    expect(first.audit.ok).toBe(true);
    expect(first.ok).toBe(true);
  });

  it('moves real volume and declines for the fraud reason and the test cards', () => {
    expect(first.volume.payments).toBe(150);
    expect(first.volume.captured).toBeGreaterThan(100);
    expect(first.volume.capturedMinor).toBeGreaterThan(0);
    expect(first.volume.capturedMinor).toBeLessThan(first.volume.amountMinor);
    expect(first.declines.byReason.fraud_declined).toBeGreaterThan(0);
    expect(first.declines.byReason.card_declined).toBe(1);
    expect(first.declines.byReason.insufficient_funds).toBe(1);
    expect(first.fraud.byPattern['test_card:fraud']).toEqual({ payments: 1, flagged: 1 });
    // Ordinary shoppers, one payment each, are not mistaken for fraud.
    expect(first.fraud.byPattern.normal!.flagged).toBe(0);
  });

  it('ends escrows in every state the day drives them to', () => {
    for (const state of ['released', 'refunded', 'held', 'disputed']) {
      expect(first.escrows[state], state).toBeGreaterThan(0);
    }
    const a = first.actions;
    for (const [k, v] of Object.entries(a)) expect(v, k).toBeGreaterThan(0);
    expect(a.disputesResolved).toBeLessThan(a.disputesOpened);
  });

  it('writes ACH files with entries and processes a return and a notification of change', () => {
    expect(first.ach.windowCloses).toBe(2);
    expect(first.ach.files).toBeGreaterThanOrEqual(1);
    expect(first.ach.entries).toBeGreaterThan(0);
    expect(first.ach.totalMinor).toBeGreaterThan(0);
    expect(first.ach.returns).toHaveLength(1);
    expect(first.ach.returns[0]!.code).toBe('R01');
    expect(first.ach.returns[0]!.amountMinor).toBeGreaterThan(0);
    // The returned money is paid again by the second window.
    expect(first.ach.entriesPerClose[1]).toBeGreaterThanOrEqual(1);
    expect(first.ach.notifications.map((n) => n.changeCode)).toEqual(['C05']);
  });

  it('reports integer costs below the processor baseline', () => {
    const c = first.costs;
    for (const [k, v] of Object.entries(c)) expect(Number.isInteger(v), k).toBe(true);
    expect(c.payments).toBe(150);
    expect(c.volumeMinor).toBe(first.volume.capturedMinor);
    expect(c.ourCostMinor).toBeGreaterThan(0);
    expect(c.processorBaselineMinor).toBeGreaterThan(c.ourCostMinor);
    // The saving is the difference of the two rounded totals, to the cent.
    expect(c.savingMinor).toBe(c.processorBaselineMinor - c.ourCostMinor);
  });

  it('gives the same day for the same seed', () => {
    expect(planDemoDay(7, 150)).toEqual(planDemoDay(7, 150));
    expect(planDemoDay(8, 150).payments).not.toEqual(planDemoDay(7, 150).payments);
    expect(second.traffic).toEqual(first.traffic);
    expect(second.volume.payments).toBe(first.volume.payments);
    expect(second.volume.amountMinor).toBe(first.volume.amountMinor);
    for (const reason of ['card_declined', 'insufficient_funds']) {
      expect(second.declines.byReason[reason], reason).toBe(first.declines.byReason[reason]);
    }
    expect(second.ach.returns.map((r) => r.code)).toEqual(first.ach.returns.map((r) => r.code));
    expect(second.ok).toBe(true);
  });
});
