import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escrowIdFor, paymentIdFor } from './ids.js';

// The formulas docs/KAFKA.md gives to producers, checked against an independent sha256.
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('ids a producer can compute', () => {
  it("payment id = 'pay_' + sha256(tenantId ‖ 0x1f ‖ idempotencyKey)[:26]", () => {
    expect(paymentIdFor('default', 'order-8812-charge')).toBe(
      `pay_${sha256('default\u001forder-8812-charge').slice(0, 26)}`,
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (tenant, key) => {
        expect(paymentIdFor(tenant, key)).toBe(`pay_${sha256(`${tenant}\u001f${key}`).slice(0, 26)}`);
      }),
    );
  });

  it("escrow id = 'esc_' + sha256(paymentId)[:26]", () => {
    const paymentId = paymentIdFor('default', 'order-8812-charge');
    expect(escrowIdFor(paymentId)).toBe(`esc_${sha256(paymentId).slice(0, 26)}`);
  });
});
