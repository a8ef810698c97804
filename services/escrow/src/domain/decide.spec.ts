import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import type { EscrowCommand, EscrowCommandType } from './commands.js';
import { decide } from './decide.js';
import type { EscrowEvent } from './events.js';
import { evolveAll } from './evolve.js';
import { escrowIdFor } from './ids.js';
import { commandRejected } from './rejections.js';
import { initialState, isPayment, type Payment, type PaymentState } from './state.js';
import { given } from './testing/decider-spec.js';
import {
  AUTHORIZATION_ID,
  approveReview,
  assessFraud,
  CAPTURE_ID,
  capture,
  declineReview,
  disputeResolved,
  ESCROW_ID,
  escrowDisputed,
  escrowHeld,
  escrowRefunded,
  escrowReleased,
  fraudAssessed,
  H,
  HOLD_UNTIL_MS,
  openDispute,
  PAYMENT_ID,
  PROVIDER_ID,
  paymentAuthorized,
  paymentCaptured,
  paymentRequested,
  recordAuthorization,
  recordNetworkDecline,
  refund,
  release,
  releaseExpiredHold,
  requestPayment,
  resolveDispute,
  reviewApproved,
} from './testing/fixtures.js';

function payment(state: PaymentState): Payment {
  if (!isPayment(state)) throw new Error('expected a payment');
  return state;
}

/** The held history of the booking with a different amount, fee or hold. */
function heldWith(overrides: {
  amountMinor?: number;
  platformFeeBps?: number;
  holdUntilMs?: number | null;
  autoRelease?: boolean;
}) {
  const o = {
    amountMinor: 125_00,
    platformFeeBps: 800,
    holdUntilMs: HOLD_UNTIL_MS,
    autoRelease: true,
    ...overrides,
  };
  const req = paymentRequested as Extract<EscrowEvent, { type: 'PaymentRequested' }>;
  const auth = paymentAuthorized as Extract<EscrowEvent, { type: 'PaymentAuthorized' }>;
  const cap = paymentCaptured as Extract<EscrowEvent, { type: 'PaymentCaptured' }>;
  const held = escrowHeld as Extract<EscrowEvent, { type: 'EscrowHeld' }>;
  return [
    { ...req, data: { ...req.data, ...o } },
    fraudAssessed('approve', 112),
    { ...auth, data: { ...auth.data, amountMinor: o.amountMinor } },
    { ...cap, data: { ...cap.data, amountMinor: o.amountMinor } },
    { ...held, data: { ...held.data, ...o } },
  ] as EscrowEvent[];
}

describe('RequestPayment', () => {
  it('records a $125.00 dog-walking booking as a pending payment awaiting fraud screening', () => {
    const state = payment(given([]).when(requestPayment()).thenEmits([paymentRequested]));
    expect(state).toMatchObject({
      status: 'pending',
      pendingStep: 'fraud',
      amountMinor: 125_00,
      platformFeeBps: 800,
    });
  });

  it('rejects a second request for the same payment', () => {
    given(H.pendingFraud).when(requestPayment()).thenRejects('illegal_transition', 'paymentId');
  });

  it.each([
    ['a zero amount', { amountMinor: 0 }, 'invalid_amount', 'amountMinor'],
    ['a negative amount', { amountMinor: -125_00 }, 'invalid_amount', 'amountMinor'],
    ['a fractional amount', { amountMinor: 125.5 }, 'invalid_amount', 'amountMinor'],
    ['an unknown currency', { currency: 'DOGE' }, 'unsupported_currency', 'currency'],
    ['a fee above 100%', { platformFeeBps: 10_001 }, 'invalid_fee', 'platformFeeBps'],
    ['a fractional fee', { platformFeeBps: 7.5 }, 'invalid_fee', 'platformFeeBps'],
    ['a provider id with a colon', { providerId: 'prov:evil' }, 'invalid_provider_id', 'providerId'],
    ['a negative hold end', { holdUntilMs: -1 }, 'invalid_field', 'holdUntilMs'],
    ['an empty customer id', { customerId: '' }, 'invalid_field', 'customerId'],
  ] as const)('rejects %s', (_name, overrides, code, field) => {
    given([]).when(requestPayment(overrides)).thenRejects(code, field);
  });

  it('rejects a command without a command id', () => {
    given([]).when(requestPayment({}, '')).thenRejects('invalid_field', 'commandId');
  });

  it('accepts a 0% fee and no hold end (released manually)', () => {
    const state = payment(
      given([])
        .when(requestPayment({ platformFeeBps: 0, holdUntilMs: null }))
        .thenEmits([
          {
            ...paymentRequested,
            data: { ...(paymentRequested.data as object), platformFeeBps: 0, holdUntilMs: null },
          } as EscrowEvent,
        ]),
    );
    expect(state.platformFeeBps).toBe(0);
  });
});

describe('ApplyFraudAssessment', () => {
  it('approve: the payment moves on to authorization', () => {
    const state = payment(
      given(H.pendingFraud)
        .when(assessFraud('approve', 112))
        .thenEmits([fraudAssessed('approve', 112)]),
    );
    expect(state).toMatchObject({
      status: 'pending',
      pendingStep: 'authorization',
      fraud: { score: 112, decision: 'approve' },
    });
  });

  it('review: the payment waits for an admin', () => {
    const state = payment(
      given(H.pendingFraud)
        .when(assessFraud('review', 640))
        .thenEmits([fraudAssessed('review', 640)]),
    );
    expect(state).toMatchObject({ status: 'pending', pendingStep: 'review' });
  });

  it('decline: the payment is declined at the fraud stage, before the network sees it', () => {
    const state = payment(
      given(H.pendingFraud)
        .when(assessFraud('decline', 930))
        .thenEmits([
          fraudAssessed('decline', 930),
          {
            type: 'PaymentDeclined',
            data: {
              paymentId: PAYMENT_ID,
              stage: 'fraud',
              code: 'fraud_declined',
              message: 'declined by fraud screening (score 930)',
            },
          },
        ]),
    );
    expect(state.status).toBe('declined');
  });

  it('rejects a score outside 0..1000 and an unknown decision', () => {
    given(H.pendingFraud).when(assessFraud('approve', 1001)).thenRejects('invalid_field', 'score');
    const bad = {
      ...assessFraud('approve'),
      data: { ...assessFraud('approve').data, decision: 'maybe' },
    } as unknown as EscrowCommand;
    given(H.pendingFraud).when(bad).thenRejects('invalid_field', 'decision');
  });

  it('rejects a second assessment', () => {
    given(H.pendingAuthorization).when(assessFraud('approve')).thenRejects('illegal_transition');
    given(H.pendingReview).when(assessFraud('approve')).thenRejects('illegal_transition');
  });
});

describe('fraud review', () => {
  it('ApproveReview: the payment moves on to authorization', () => {
    const state = payment(given(H.pendingReview).when(approveReview()).thenEmits([reviewApproved]));
    expect(state).toMatchObject({ status: 'pending', pendingStep: 'authorization' });
  });

  it('DeclineReview: the payment is declined at the review stage', () => {
    const state = payment(
      given(H.pendingReview)
        .when(declineReview())
        .thenEmits([
          {
            type: 'PaymentDeclined',
            data: {
              paymentId: PAYMENT_ID,
              stage: 'review',
              code: 'review_declined',
              message: 'declined in review: card reported stolen',
            },
          },
        ]),
    );
    expect(state.status).toBe('declined');
  });

  it('an approved review can then be authorized', () => {
    const state = payment(
      given([...H.pendingReview, reviewApproved])
        .when(recordAuthorization())
        .thenEmits([paymentAuthorized]),
    );
    expect(state.status).toBe('authorized');
  });

  it('rejects a review decision without a reviewer', () => {
    const cmd = { ...approveReview(), data: { reviewerId: '', note: null } };
    given(H.pendingReview).when(cmd).thenRejects('invalid_field', 'reviewerId');
  });
});

describe('network authorization', () => {
  it('RecordAuthorization: the payment is authorized for the full amount', () => {
    const state = payment(
      given(H.pendingAuthorization).when(recordAuthorization()).thenEmits([paymentAuthorized]),
    );
    expect(state).toMatchObject({
      status: 'authorized',
      authorizationId: AUTHORIZATION_ID,
      capturedMinor: 0,
    });
  });

  it('RecordNetworkDecline: the payment is declined at the network stage', () => {
    const state = payment(
      given(H.pendingAuthorization)
        .when(recordNetworkDecline())
        .thenEmits([
          {
            type: 'PaymentDeclined',
            data: {
              paymentId: PAYMENT_ID,
              stage: 'network',
              code: 'insufficient_funds',
              message: 'The card has insufficient funds.',
            },
          },
        ]),
    );
    expect(state.status).toBe('declined');
  });

  it('rejects a partial or other-currency authorization', () => {
    given(H.pendingAuthorization)
      .when(recordAuthorization({ amountMinor: 100_00 }))
      .thenRejects('authorization_mismatch');
    given(H.pendingAuthorization)
      .when(recordAuthorization({ currency: 'EUR' }))
      .thenRejects('authorization_mismatch');
  });

  it('rejects an authorization without an id', () => {
    given(H.pendingAuthorization)
      .when(recordAuthorization({ authorizationId: '' }))
      .thenRejects('invalid_field', 'authorizationId');
  });
});

describe('Capture', () => {
  it('captures the authorized $125.00 and holds it in escrow for the walker', () => {
    const state = payment(given(H.authorized).when(capture()).thenEmits([paymentCaptured, escrowHeld]));
    expect(state).toMatchObject({
      status: 'held',
      capturedMinor: 125_00,
      heldMinor: 125_00,
      escrowId: escrowIdFor(PAYMENT_ID),
    });
    expect(state.captureId).toBe(CAPTURE_ID);
  });

  it('rejects a capture without the network capture id', () => {
    given(H.authorized)
      .when({ ...capture(), data: { captureId: '' } })
      .thenRejects('invalid_field', 'captureId');
  });
});

describe('Release', () => {
  it('releases everything held: $125.00 less the 8% fee, $115.00 to the walker', () => {
    const state = payment(
      given(H.held)
        .when(release())
        .thenEmits([escrowReleased(125_00, 10_00, 115_00)]),
    );
    expect(state).toMatchObject({
      status: 'released',
      heldMinor: 0,
      releasedMinor: 125_00,
      feesMinor: 10_00,
    });
  });

  it('releases $50.00 for the first walks: $4.00 fee, $46.00 net, $75.00 still held', () => {
    const state = payment(
      given(H.held)
        .when(release(50_00))
        .thenEmits([escrowReleased(50_00, 4_00, 46_00)]),
    );
    expect(state).toMatchObject({ status: 'partially_released', heldMinor: 75_00 });
  });

  it('releases the remaining $75.00 after a partial release: $6.00 fee, $69.00 net', () => {
    const state = payment(
      given(H.partiallyReleased)
        .when(release())
        .thenEmits([escrowReleased(75_00, 6_00, 69_00)]),
    );
    expect(state).toMatchObject({ status: 'released', feesMinor: 10_00, releasedMinor: 125_00 });
  });

  it('releases the $100.00 left after a $25.00 refund: the fee is only on what the walker gets', () => {
    const state = payment(
      given(H.partiallyRefunded)
        .when(release())
        .thenEmits([escrowReleased(100_00, 8_00, 92_00)]),
    );
    expect(state).toMatchObject({ status: 'released', refundedMinor: 25_00, feesMinor: 8_00 });
  });

  it('never loses a cent over partial releases: three $1.06 releases at 8% take 8¢, 9¢, 8¢ (= 8% of $3.18)', () => {
    const history = heldWith({ amountMinor: 3_18 });
    const afterFirst = [...history, escrowReleased(1_06, 8, 98, 'manual', 'r1')];
    given(history)
      .when(release(1_06, 'r1'))
      .thenEmits([escrowReleased(1_06, 8, 98, 'manual', 'r1')]);
    const afterSecond = [...afterFirst, escrowReleased(1_06, 9, 97, 'manual', 'r2')];
    given(afterFirst)
      .when(release(1_06, 'r2'))
      .thenEmits([escrowReleased(1_06, 9, 97, 'manual', 'r2')]);
    const state = payment(
      given(afterSecond)
        .when(release(1_06, 'r3'))
        .thenEmits([escrowReleased(1_06, 8, 98, 'manual', 'r3')]),
    );
    expect(state.feesMinor).toBe(25);
  });

  it('rejects releasing more than is held', () => {
    const err = given(H.partiallyReleased)
      .when(release(75_01))
      .thenRejects('amount_exceeds_available', 'amountMinor');
    expect(err.details).toEqual({ requestedMinor: 75_01, availableMinor: 75_00 });
  });

  it.each([0, -1, 12.5])('rejects a release of %s', (amount) => {
    given(H.held).when(release(amount)).thenRejects('invalid_amount', 'amountMinor');
  });
});

describe('ReleaseExpiredHold', () => {
  it('releases everything at the end of the seven-day hold', () => {
    const state = payment(
      given(H.held)
        .when(releaseExpiredHold(HOLD_UNTIL_MS))
        .thenEmits([escrowReleased(125_00, 10_00, 115_00, 'hold_expired', 'cmd_hold_tick')]),
    );
    expect(state.status).toBe('released');
  });

  it('releases what is left of a partially released payment', () => {
    given(H.partiallyReleased)
      .when(releaseExpiredHold(HOLD_UNTIL_MS + 60_000))
      .thenEmits([escrowReleased(75_00, 6_00, 69_00, 'hold_expired', 'cmd_hold_tick')]);
  });

  it('rejects a tick one millisecond before the hold ends', () => {
    given(H.held)
      .when(releaseExpiredHold(HOLD_UNTIL_MS - 1))
      .thenRejects('hold_not_expired', 'nowMs');
  });

  it('rejects auto-release when the payment is released manually only', () => {
    given(heldWith({ autoRelease: false }))
      .when(releaseExpiredHold(HOLD_UNTIL_MS))
      .thenRejects('auto_release_disabled');
  });

  it('rejects auto-release when the payment has no hold end', () => {
    given(heldWith({ holdUntilMs: null }))
      .when(releaseExpiredHold(HOLD_UNTIL_MS))
      .thenRejects('no_hold_period');
  });

  it('rejects a clock reading that is not epoch milliseconds', () => {
    given(H.held).when(releaseExpiredHold(Number.NaN)).thenRejects('invalid_field', 'nowMs');
  });
});

describe('Refund', () => {
  it('refunds everything held back to Maya', () => {
    const state = payment(
      given(H.held)
        .when(refund(null, 'booking cancelled'))
        .thenEmits([escrowRefunded(125_00, 'booking cancelled')]),
    );
    expect(state).toMatchObject({ status: 'refunded', refundedMinor: 125_00, heldMinor: 0, feesMinor: 0 });
  });

  it('refunds $25.00 for a cancelled walk, keeping $100.00 held', () => {
    const state = payment(
      given(H.held)
        .when(refund(25_00))
        .thenEmits([escrowRefunded(25_00)]),
    );
    expect(state).toMatchObject({ status: 'partially_refunded', heldMinor: 100_00 });
  });

  it('refunds the $75.00 left after a partial release; the released $50.00 stays with the walker', () => {
    const state = payment(
      given(H.partiallyReleased)
        .when(refund())
        .thenEmits([escrowRefunded(75_00)]),
    );
    expect(state).toMatchObject({ status: 'refunded', releasedMinor: 50_00, refundedMinor: 75_00 });
  });

  it('rejects refunding more than is held (released money is not refundable from escrow)', () => {
    given(H.partiallyReleased).when(refund(75_01)).thenRejects('amount_exceeds_available', 'amountMinor');
  });

  it('rejects a zero refund', () => {
    given(H.held).when(refund(0)).thenRejects('invalid_amount', 'amountMinor');
  });
});

describe('disputes', () => {
  it('OpenDispute freezes everything held', () => {
    const state = payment(
      given(H.held)
        .when(openDispute())
        .thenEmits([escrowDisputed(125_00)]),
    );
    expect(state).toMatchObject({ status: 'disputed', heldMinor: 0, frozenMinor: 125_00 });
  });

  it('OpenDispute on a partially released payment freezes only what is left', () => {
    const state = payment(
      given(H.partiallyReleased)
        .when(openDispute())
        .thenEmits([escrowDisputed(75_00)]),
    );
    expect(state).toMatchObject({ frozenMinor: 75_00, releasedMinor: 50_00 });
  });

  it('rejects a dispute without a reason', () => {
    given(H.held).when(openDispute('')).thenRejects('invalid_field', 'reason');
  });

  it('ResolveDispute(release) pays the walker, less the fee', () => {
    const state = payment(
      given(H.disputed)
        .when(resolveDispute('release'))
        .thenEmits([
          disputeResolved('release', 125_00),
          escrowReleased(125_00, 10_00, 115_00, 'dispute_resolved', 'cmd_resolve'),
        ]),
    );
    expect(state).toMatchObject({ status: 'released', frozenMinor: 0, disputeId: null });
  });

  it('ResolveDispute(refund) returns the money to Maya', () => {
    const state = payment(
      given(H.disputed)
        .when(resolveDispute('refund'))
        .thenEmits([
          disputeResolved('refund', 125_00),
          escrowRefunded(125_00, 'dispute_resolved', 'cmd_resolve'),
        ]),
    );
    expect(state).toMatchObject({ status: 'refunded', refundedMinor: 125_00 });
  });

  it('ResolveDispute(release) after a partial release takes the rest of the fee only', () => {
    given([...H.partiallyReleased, escrowDisputed(75_00)])
      .when(resolveDispute('release'))
      .thenEmits([
        disputeResolved('release', 75_00),
        escrowReleased(75_00, 6_00, 69_00, 'dispute_resolved', 'cmd_resolve'),
      ]);
  });

  it('rejects an unknown outcome', () => {
    const cmd = { ...resolveDispute('release'), data: { outcome: 'split' } } as unknown as EscrowCommand;
    given(H.disputed).when(cmd).thenRejects('invalid_field', 'outcome');
  });
});

// Every command against every phase of the payment. The table is written out here by hand,
// independently of decide.ts's LEGAL_COMMANDS, so a change to either is caught.
const SAMPLE: Record<EscrowCommandType, EscrowCommand> = {
  RequestPayment: requestPayment(),
  ApplyFraudAssessment: assessFraud('approve'),
  ApproveReview: approveReview(),
  DeclineReview: declineReview(),
  RecordAuthorization: recordAuthorization(),
  RecordNetworkDecline: recordNetworkDecline(),
  Capture: capture(),
  Release: release(10_00),
  ReleaseExpiredHold: releaseExpiredHold(HOLD_UNTIL_MS),
  Refund: refund(10_00),
  OpenDispute: openDispute(),
  ResolveDispute: resolveDispute('refund'),
};

const MOVE_MONEY: EscrowCommandType[] = ['Release', 'ReleaseExpiredHold', 'Refund', 'OpenDispute'];
const PHASES: [string, EscrowEvent[], EscrowCommandType[]][] = [
  ['no payment', [], ['RequestPayment']],
  ['pending (fraud)', H.pendingFraud, ['ApplyFraudAssessment']],
  ['pending (review)', H.pendingReview, ['ApproveReview', 'DeclineReview']],
  ['pending (authorization)', H.pendingAuthorization, ['RecordAuthorization', 'RecordNetworkDecline']],
  ['declined', H.declined, []],
  ['authorized', H.authorized, ['Capture']],
  ['held', H.held, MOVE_MONEY],
  ['partially_released', H.partiallyReleased, MOVE_MONEY],
  ['partially_refunded', H.partiallyRefunded, MOVE_MONEY],
  ['released', H.released, []],
  ['refunded', H.refunded, []],
  ['disputed', H.disputed, ['ResolveDispute']],
];

describe('transition table: every command in every phase', () => {
  const cases = PHASES.flatMap(([phase, history, legal]) =>
    (Object.keys(SAMPLE) as EscrowCommandType[]).map(
      (type) => [phase, type, legal.includes(type), history] as const,
    ),
  );

  it.each(cases)('%s + %s → legal: %s', (phase, type, legal, history) => {
    const state = evolveAll(initialState(), history);
    if (legal) {
      const events = decide(SAMPLE[type], state);
      expect(events.length).toBeGreaterThan(0);
      const next = evolveAll(state, events);
      expect(isPayment(next)).toBe(true);
    } else {
      const expectedCode = phase === 'no payment' ? 'payment_not_found' : 'illegal_transition';
      given(history).when(SAMPLE[type]).thenRejects(expectedCode);
    }
  });

  it('names the status and the command in an illegal-transition error', () => {
    const err = given(H.released).when(refund()).thenRejects('illegal_transition');
    expect(err.message).toBe('cannot Refund a payment that is released');
    expect(err.details).toMatchObject({ status: 'released', command: 'Refund' });
    const pendingErr = given(H.pendingReview).when(capture()).thenRejects('illegal_transition');
    expect(pendingErr.message).toBe('cannot Capture a payment that is pending (awaiting review)');
  });

  it('checks legality before the command’s fields, so the error does not depend on the payload', () => {
    given(H.released).when(release(-5)).thenRejects('illegal_transition');
    given([]).when(release(-5)).thenRejects('payment_not_found');
  });
});

describe('ids', () => {
  it('derive from the payment and the command, so a redelivery repeats them and a new command does not', () => {
    const first = decide(release(10_00, 'cmd_a'), evolveAll(initialState(), H.held));
    const again = decide(release(10_00, 'cmd_a'), evolveAll(initialState(), H.held));
    const other = decide(release(10_00, 'cmd_b'), evolveAll(initialState(), H.held));
    expect(again).toEqual(first);
    const idOf = (events: EscrowEvent[]) => (events[0]!.data as { releaseId: string }).releaseId;
    expect(idOf(other)).not.toBe(idOf(first));
    expect(ESCROW_ID).toBe(escrowIdFor(PAYMENT_ID));
    expect(PROVIDER_ID).toBe((escrowHeld.data as { providerId: string }).providerId);
  });

  it('a decide that throws is a PaystreamError, never a crash', () => {
    expect(() => decide(capture(), initialState())).toThrow(PaystreamError);
  });
});

describe('rejections', () => {
  it('become a CommandRejected record naming the command, code and field', () => {
    const cmd = release(75_01, 'cmd_too_much');
    let record: ReturnType<typeof commandRejected> | null = null;
    try {
      decide(cmd, evolveAll(initialState(), H.partiallyReleased));
    } catch (e) {
      record = commandRejected(cmd, e);
    }
    expect(record).toEqual({
      commandId: 'cmd_too_much',
      commandType: 'Release',
      code: 'amount_exceeds_available',
      message: 'cannot release 7501: only 7500 USD is held',
      field: 'amountMinor',
      targetId: null,
    });
  });

  it('rethrows anything that is not a business rejection', () => {
    const bug = new TypeError('boom');
    expect(() => commandRejected(release(), bug)).toThrow(bug);
  });

  it('nothing is legal while a fraud decline is being recorded', () => {
    given([...H.pendingFraud, fraudAssessed('decline', 930)])
      .when(assessFraud('approve'))
      .thenRejects('illegal_transition');
  });
});
