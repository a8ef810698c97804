// The cost model on a payment worked out by hand from config/prices.json (amounts in cents):
// a $100.00 Visa payment, captured, 12 events, released in full ($92.00 net after an 8% fee)
// into a payout of its own, in an ACH file of 4 entries.
//
//   interchange   1.80% × 10000 + 10            = 190.00
//   network       0.14% × 10000 + 1.95 per auth =  15.95
//   acquirer      0.20% × 10000 + 5             =  25.00
//   infrastructure per event: MSK (3 × 21¢ × 730 h + 300 GB × 10¢) + compute (4 × 4.048¢ × 730
//                 + 8 × 0.4445¢ × 730) = 63,406.04¢ a month over 50M events = 0.0012681208¢
//                 (kept to the nano-cent: 0.001268120), plus DynamoDB 4 × 0.0000625 + 2 × 0.0000125
//                 = 0.000275¢ → 0.00154312¢ × 12 events + 1 KMS request 0.0003¢ = 0.01881744¢
//   ACH           15 per entry + (500 file + 100 batch) / 4 entries = 165.00
//   ours          190 + 15.95 + 25 + 0.01881744 + 165 = 395.96881744 → 396
//   processor     2.9% × 10000 + 30 = 320; payout 0.25% × 9200 + 25 = 48 → 368
//   saving        368 − 395.96881744 = −27.96881744 → −28: a small file makes ACH dear.

import { describe, expect, it } from 'vitest';
import { costInMinor, paymentCost, perEventInfrastructure, toMinor } from './model.js';
import { loadPriceTable, parsePriceTable } from './prices.js';

const prices = loadPriceTable();
const payment = {
  currency: 'USD',
  capturedMinor: 10_000,
  authorizationAttempted: true,
  eventCount: 12,
  brand: 'visa',
  releases: [{ netMinor: 9_200, payout: { amountMinor: 9_200, entriesInFile: 4 } }],
};

describe('cost model', () => {
  it('prices a captured, released and paid-out payment line by line', () => {
    expect(perEventInfrastructure(prices)).toBe(1_543_120n);
    const c = paymentCost(prices, payment);
    expect(c.passThrough).toBe(205_950_000_000n);
    expect(c.acquirer).toBe(25_000_000_000n);
    expect(c.infrastructure).toBe(18_817_440n);
    expect(c.ach).toBe(165_000_000_000n);
    expect(c.baselineCard).toBe(320_000_000_000n);
    expect(c.baselinePayout).toBe(48_000_000_000n);
    expect(costInMinor(c)).toMatchObject({
      ourCostMinor: 396,
      processorBaselineMinor: 368,
      savingMinor: -28,
      achMinor: 165,
    });
  });

  it('spreads file and batch fees over the entries of the file', () => {
    const c = paymentCost(prices, {
      ...payment,
      releases: [{ netMinor: 9_200, payout: { amountMinor: 9_200, entriesInFile: 100 } }],
    });
    // 15 + 600 / 100 = 21 cents of ACH: ours 251.97 → 252, saving 368 − 251.97 = 116.03 → 116.
    expect(costInMinor(c)).toMatchObject({ achMinor: 21, ourCostMinor: 252, savingMinor: 116 });
  });

  it('shares a payout between the releases it carried, by amount', () => {
    const c = paymentCost(prices, {
      ...payment,
      releases: [{ netMinor: 2_300, payout: { amountMinor: 9_200, entriesInFile: 100 } }],
    });
    // A quarter of the payout: 21 / 4 = 5.25 cents of ACH; a quarter of 25 + 0.25% × 2300 = 6.25 + 5.75 = 12.
    expect(c.ach).toBe(5_250_000_000n);
    expect(c.baselinePayout).toBe(12_000_000_000n);
  });

  it('charges a network decline the authorization fee only, and the processor nothing', () => {
    const c = paymentCost(prices, { ...payment, capturedMinor: 0, releases: [] });
    expect(c.passThrough).toBe(1_950_000_000n);
    expect(c.baseline).toBe(0n);
    expect(c.saving < 0n).toBe(true);
  });

  it('rounds half up, and symmetrically for negative savings', () => {
    expect(toMinor(1_500_000_000n)).toBe(2);
    expect(toMinor(1_499_999_999n)).toBe(1);
    expect(toMinor(-1_500_000_000n)).toBe(-2);
  });

  it('refuses a price without a source or date, or with a fractional amount', () => {
    const raw = JSON.parse(JSON.stringify(prices)) as { ach: { perEntry: Record<string, unknown> } };
    const noSource = structuredClone(raw);
    delete noSource.ach.perEntry.source;
    expect(() => parsePriceTable(noSource)).toThrow(/source/);
    const fractional = structuredClone(raw);
    fractional.ach.perEntry.nanoMinor = 0.5;
    expect(() => parsePriceTable(fractional)).toThrow(/integer/);
  });
});
