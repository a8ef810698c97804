// The gateway contract: what every PaymentGateway adapter must do, whatever network is behind
// it. The simulator runs it in simulator.spec.ts; a real acquirer's adapter runs it against
// the acquirer's sandbox with that sandbox's approving card.

import { describe, expect, it } from 'vitest';
import type { CardDetails, PaymentGateway } from './port.js';

export interface GatewayContractOptions {
  /** A card the network under test approves. */
  readonly approvingCard: CardDetails;
  /** Makes a fresh gateway (no shared state between tests). */
  readonly make: () => PaymentGateway;
}

let sequence = 0;
const freshPaymentId = (): string => `pay_contract_${Date.now().toString(36)}_${++sequence}`;

export function gatewayContract(name: string, options: GatewayContractOptions): void {
  const { approvingCard, make } = options;

  describe(`PaymentGateway contract: ${name}`, () => {
    it('authorizes, captures and refunds a $125.00 payment in full', async () => {
      const gw = make();
      const paymentId = freshPaymentId();
      const auth = await gw.authorize({
        paymentId,
        amountMinor: 125_00,
        currency: 'USD',
        card: approvingCard,
      });
      if (!auth.approved) throw new Error(`expected approval, got ${auth.code}`);
      const cap = await gw.capture({
        paymentId,
        authorizationId: auth.authorizationId,
        amountMinor: 125_00,
        currency: 'USD',
      });
      if (!cap.captured) throw new Error(`expected capture, got ${cap.code}`);
      const rf = await gw.refund({
        paymentId,
        captureId: cap.captureId,
        refundId: 'rfd_1',
        amountMinor: 125_00,
        currency: 'USD',
      });
      expect(rf.refunded).toBe(true);
    });

    it('is idempotent: retrying authorize, capture and refund gives the first answers', async () => {
      const gw = make();
      const paymentId = freshPaymentId();
      const req = { paymentId, amountMinor: 40_00, currency: 'USD', card: approvingCard };
      const a1 = await gw.authorize(req);
      const a2 = await gw.authorize(req);
      expect(a2).toEqual(a1);
      if (!a1.approved) throw new Error('expected approval');
      const capReq = { paymentId, authorizationId: a1.authorizationId, amountMinor: 40_00, currency: 'USD' };
      const c1 = await gw.capture(capReq);
      expect(await gw.capture(capReq)).toEqual(c1);
      if (!c1.captured) throw new Error('expected capture');
      const rfReq = {
        paymentId,
        captureId: c1.captureId,
        refundId: 'rfd_retry',
        amountMinor: 40_00,
        currency: 'USD',
      };
      const r1 = await gw.refund(rfReq);
      expect(await gw.refund(rfReq)).toEqual(r1);
      expect(r1.refunded).toBe(true);
    });

    it('never refunds more than was captured, across partial refunds', async () => {
      const gw = make();
      const paymentId = freshPaymentId();
      const auth = await gw.authorize({
        paymentId,
        amountMinor: 100_00,
        currency: 'USD',
        card: approvingCard,
      });
      if (!auth.approved) throw new Error('expected approval');
      const cap = await gw.capture({
        paymentId,
        authorizationId: auth.authorizationId,
        amountMinor: 100_00,
        currency: 'USD',
      });
      if (!cap.captured) throw new Error('expected capture');
      const base = { paymentId, captureId: cap.captureId, currency: 'USD' };
      expect((await gw.refund({ ...base, refundId: 'r1', amountMinor: 60_00 })).refunded).toBe(true);
      expect(await gw.refund({ ...base, refundId: 'r2', amountMinor: 40_01 })).toMatchObject({
        refunded: false,
        code: 'amount_exceeds_capture',
      });
      expect((await gw.refund({ ...base, refundId: 'r3', amountMinor: 40_00 })).refunded).toBe(true);
    });

    it('refuses to capture an unknown authorization or more than was authorized', async () => {
      const gw = make();
      const paymentId = freshPaymentId();
      expect(
        await gw.capture({ paymentId, authorizationId: 'auth_nope', amountMinor: 1_00, currency: 'USD' }),
      ).toMatchObject({
        captured: false,
        code: 'authorization_not_found',
      });
      const auth = await gw.authorize({
        paymentId,
        amountMinor: 10_00,
        currency: 'USD',
        card: approvingCard,
      });
      if (!auth.approved) throw new Error('expected approval');
      expect(
        await gw.capture({
          paymentId,
          authorizationId: auth.authorizationId,
          amountMinor: 10_01,
          currency: 'USD',
        }),
      ).toMatchObject({ captured: false, code: 'amount_exceeds_authorization' });
    });

    it('declines an incorrect card number without echoing it', async () => {
      const gw = make();
      const number = `${approvingCard.number.slice(0, -1)}${(Number(approvingCard.number.at(-1)) + 1) % 10}`;
      const result = await gw.authorize({
        paymentId: freshPaymentId(),
        amountMinor: 10_00,
        currency: 'USD',
        card: { ...approvingCard, number },
      });
      expect(result).toMatchObject({ approved: false, code: 'incorrect_number' });
      expect(JSON.stringify(result)).not.toContain(number);
      expect(JSON.stringify(result)).not.toContain(number.slice(-4));
    });
  });
}
