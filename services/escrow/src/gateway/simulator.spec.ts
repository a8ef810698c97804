import { TestClock } from '@paystream/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatewayContract } from './contract.js';
import type { AuthorizeResult, CardDetails } from './port.js';
import { isLuhnValid, SimulatedGateway, TEST_CARDS } from './simulator.js';

// The test clock starts on 2026-01-05.
const card = (number: string, expMonth = 12, expYear = 2028): CardDetails => ({ number, expMonth, expYear });
const booking = (paymentId: string, number: string) => ({
  paymentId,
  amountMinor: 125_00,
  currency: 'USD',
  card: card(number),
});

gatewayContract('simulator', {
  approvingCard: card(TEST_CARDS.approves),
  make: () => new SimulatedGateway({ clock: new TestClock() }),
});

/** Appends the Luhn check digit to a digit string. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (isLuhnValid(body + d)) return body + d;
  throw new Error('unreachable: one check digit always fits');
}

describe('simulator test cards (ARCHITECTURE.md §5)', () => {
  it('4242 4242 4242 4242 approves with a deterministic authorization id', async () => {
    const a = await new SimulatedGateway({ clock: new TestClock() }).authorize(
      booking('pay_dogwalk_125', TEST_CARDS.approves),
    );
    const b = await new SimulatedGateway({ clock: new TestClock() }).authorize(
      booking('pay_dogwalk_125', TEST_CARDS.approves),
    );
    const other = await new SimulatedGateway({ clock: new TestClock() }).authorize(
      booking('pay_other', TEST_CARDS.approves),
    );
    expect(a.approved).toBe(true);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
  });

  it('4000 0000 0000 0002 is declined by the network', async () => {
    expect(
      await new SimulatedGateway({ clock: new TestClock() }).authorize(booking('pay_1', TEST_CARDS.declined)),
    ).toEqual({
      approved: false,
      code: 'card_declined',
      message: 'The card was declined.',
    });
  });

  it('4000 0000 0000 9995 is declined for insufficient funds', async () => {
    expect(
      await new SimulatedGateway({ clock: new TestClock() }).authorize(
        booking('pay_1', TEST_CARDS.insufficientFunds),
      ),
    ).toEqual({
      approved: false,
      code: 'insufficient_funds',
      message: 'The card has insufficient funds.',
    });
  });

  it('4100 0000 0000 0019 (the fraud card) approves at the network: fraud screening stops it earlier', async () => {
    const result = await new SimulatedGateway({ clock: new TestClock() }).authorize(
      booking('pay_1', TEST_CARDS.fraud),
    );
    expect(result.approved).toBe(true);
  });

  it('other Luhn-valid numbers approve: Mastercard, Amex, Discover test numbers', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock() });
    for (const [i, n] of ['5555555555554444', '378282246310005', '6011111111111117'].entries()) {
      expect((await gw.authorize(booking(`pay_${i}`, n))).approved).toBe(true);
    }
  });

  it('declines a number that fails Luhn, or is not 12-19 digits', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock() });
    for (const [i, n] of ['4242424242424241', '4242 4242 4242 4242', '42424242', ''].entries()) {
      expect(await gw.authorize(booking(`pay_${i}`, n))).toMatchObject({
        approved: false,
        code: 'incorrect_number',
      });
    }
  });

  it('declines an expired card, and accepts one in its last valid month', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock(Date.UTC(2026, 0, 31, 23, 59)) });
    const expired = await gw.authorize({
      ...booking('pay_a', TEST_CARDS.approves),
      card: card(TEST_CARDS.approves, 12, 2025),
    });
    expect(expired).toMatchObject({ approved: false, code: 'expired_card' });
    const lastMonth = await gw.authorize({
      ...booking('pay_b', TEST_CARDS.approves),
      card: card(TEST_CARDS.approves, 1, 2026),
    });
    expect(lastMonth.approved).toBe(true);
    const badMonth = await gw.authorize({
      ...booking('pay_c', TEST_CARDS.approves),
      card: card(TEST_CARDS.approves, 13, 2030),
    });
    expect(badMonth).toMatchObject({ approved: false, code: 'expired_card' });
  });

  it('declines a zero, fractional or unsupported-currency amount', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock() });
    for (const [i, over] of [{ amountMinor: 0 }, { amountMinor: 1.5 }, { currency: 'DOGE' }].entries()) {
      expect(await gw.authorize({ ...booking(`pay_${i}`, TEST_CARDS.approves), ...over })).toMatchObject({
        approved: false,
        code: 'invalid_amount',
      });
    }
  });

  it('refuses to re-authorize a payment for a different amount', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock() });
    await gw.authorize(booking('pay_1', TEST_CARDS.approves));
    expect(
      await gw.authorize({ ...booking('pay_1', TEST_CARDS.approves), amountMinor: 999_00 }),
    ).toMatchObject({
      approved: false,
      code: 'authorization_conflict',
    });
  });

  it('forgets the oldest authorizations beyond its bound', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock(), maxAuthorizations: 2 });
    const first = await gw.authorize(booking('pay_1', TEST_CARDS.approves));
    await gw.authorize(booking('pay_2', TEST_CARDS.approves));
    await gw.authorize(booking('pay_3', TEST_CARDS.approves));
    if (!first.approved) throw new Error('expected approval');
    expect(
      await gw.capture({
        paymentId: 'pay_1',
        authorizationId: first.authorizationId,
        amountMinor: 125_00,
        currency: 'USD',
      }),
    ).toMatchObject({ captured: false, code: 'authorization_not_found' });
  });

  it('property: any Luhn-valid number outside the decline cards approves, and no result contains the number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[1-9]\d{11,17}$/), fc.nat(), async (body, n) => {
        const number = withCheckDigit(body);
        fc.pre(number !== TEST_CARDS.declined && number !== TEST_CARDS.insufficientFunds);
        const gw = new SimulatedGateway({ clock: new TestClock() });
        const result: AuthorizeResult = await gw.authorize(booking(`pay_${n}`, number));
        expect(result.approved).toBe(true);
        expect(JSON.stringify(result)).not.toContain(number);
      }),
    );
  });

  it('no answer for any test card contains the card number', async () => {
    const gw = new SimulatedGateway({ clock: new TestClock() });
    for (const [i, number] of Object.values(TEST_CARDS).entries()) {
      const result = await gw.authorize(booking(`pay_${i}`, number));
      expect(JSON.stringify(result)).not.toContain(number);
      expect(JSON.stringify(result)).not.toContain(number.slice(6));
    }
  });
});
