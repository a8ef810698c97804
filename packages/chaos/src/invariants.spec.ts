// The chaos suite's checks must be able to fail: given a clean history they pass, and given
// each kind of damage a crash could do (a duplicated journal entry, a payment decided twice, a
// capture posted twice, an unbalanced entry, a lost or extra payment) they fail and name it.

import type { Envelope } from '@paystream/schemas';
import { describe, expect, it } from 'vitest';
import type { Accepted } from './driver.js';
import { checkEventLog, checkPayments, terminalStatus } from './invariants.js';

let seq = 0;
function ev(
  type: string,
  aggregateId: string,
  payload: Record<string, unknown> = {},
  eventId?: string,
): Envelope {
  seq += 1;
  return { eventId: eventId ?? `evt_${seq}`, type, aggregateId, payload } as unknown as Envelope;
}

function entry(
  paymentId: string,
  source: Envelope,
  amount: number,
  entryId = `je_${source.eventId}`,
): Envelope {
  return ev('JournalEntryPosted', paymentId, {
    entryId,
    description: 'test',
    sourceEventId: source.eventId,
    postings: [
      { account: 'gateway:clearing', amountMinor: amount, currency: 'USD' },
      { account: 'escrow:held', amountMinor: -amount, currency: 'USD' },
    ],
  });
}

/** A held payment: requested, assessed, captured (posted), held. */
function heldPayment(id: string, amount = 1_000): Envelope[] {
  const captured = ev('PaymentCaptured', id);
  return [
    ev('PaymentRequested', id),
    ev('FraudAssessed', id),
    ev('PaymentAuthorized', id),
    captured,
    entry(id, captured, amount),
    ev('EscrowHeld', id),
  ];
}

function accepted(ids: string[], holdUntilMs: number | null = null): Map<string, Accepted> {
  return new Map(
    ids.map((id, i) => [`key-${i}`, { id, status: 'pending', attempts: 1, holdUntilMs, payload: '{}' }]),
  );
}

const failed = (results: { name: string; ok: boolean; detail: string }[]) =>
  results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);

describe('checkEventLog', () => {
  const clean = [...heldPayment('pay_a'), ...heldPayment('pay_b', 2_500), ev('PaymentRequested', 'pay_c')];
  clean.push(ev('PaymentDeclined', 'pay_c'));

  it('passes a clean history and counts it', () => {
    const { results, figures } = checkEventLog(accepted(['pay_a', 'pay_b', 'pay_c']), clean);
    expect(failed(results)).toEqual([]);
    expect(figures.journalEntries).toBe(2);
    expect(figures.totalsByCurrency).toEqual({ USD: { debits: 3_500, credits: 3_500 } });
  });

  it('names a journal entry that appears twice', () => {
    const dup = clean.find((e) => e.type === 'JournalEntryPosted')!;
    const { results } = checkEventLog(accepted(['pay_a', 'pay_b', 'pay_c']), [...clean, { ...dup }]);
    expect(failed(results).join('\n')).toContain(dup.eventId); // the event itself repeated
    expect(failed(results).join('\n')).toContain((dup.payload as { entryId: string }).entryId);
  });

  it('names a capture posted twice under two entry ids (a double-applied command)', () => {
    const captured = clean.find((e) => e.type === 'PaymentCaptured' && e.aggregateId === 'pay_a')!;
    const again = entry('pay_a', captured, 1_000, 'je_other');
    const { results } = checkEventLog(accepted(['pay_a', 'pay_b', 'pay_c']), [...clean, again]);
    const text = failed(results).join('\n');
    expect(text).toContain('no journal entry is duplicated');
    expect(text).toContain('pay_a capture entries 2/1');
  });

  it('names a payment decided twice, one never decided, and one nobody accepted', () => {
    const events = [
      ...clean,
      ev('EscrowHeld', 'pay_a'),
      ev('PaymentRequested', 'pay_d'),
      ev('PaymentRequested', 'pay_x'),
    ];
    const { results } = checkEventLog(accepted(['pay_a', 'pay_b', 'pay_c', 'pay_d']), events);
    const text = failed(results).join('\n');
    expect(text).toContain('pay_a×2');
    expect(text).toContain('pay_d×0');
    expect(text).toContain('unexplained: 1 — pay_x');
  });

  it('lets a payment waiting for review be undecided', () => {
    const events = [...clean, ev('PaymentRequested', 'pay_r'), ev('FraudAssessed', 'pay_r')];
    const ids = accepted(['pay_a', 'pay_b', 'pay_c', 'pay_r']);
    expect(failed(checkEventLog(ids, events).results).join('\n')).toContain('pay_r×0');
    expect(failed(checkEventLog(ids, events, new Set(['pay_r'])).results)).toEqual([]);
  });

  it('names an unbalanced entry and a non-zero trial balance', () => {
    const captured = ev('PaymentCaptured', 'pay_u');
    const bad = ev('JournalEntryPosted', 'pay_u', {
      entryId: 'je_bad',
      description: 'bad',
      sourceEventId: captured.eventId,
      postings: [
        { account: 'gateway:clearing', amountMinor: 1_000, currency: 'USD' },
        { account: 'escrow:held', amountMinor: -999, currency: 'USD' },
      ],
    });
    const events = [...clean, ev('PaymentRequested', 'pay_u'), captured, bad, ev('EscrowHeld', 'pay_u')];
    const text = failed(checkEventLog(accepted(['pay_a', 'pay_b', 'pay_c', 'pay_u']), events).results).join(
      '\n',
    );
    expect(text).toContain('je_bad (USD 1)');
    expect(text).toContain('USD debits 4500 credits 4499');
  });
});

describe('checkPayments', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  const view = (id: string, status: string, pendingStep: string | null = null) => ({
    id,
    state: { status, pendingStep },
  });

  it('passes when every accepted payment is decided and counts the statuses', () => {
    const { results, statuses } = checkPayments(
      accepted(['pay_a', 'pay_b', 'pay_c']),
      [view('pay_a', 'held'), view('pay_b', 'declined'), view('pay_c', 'pending', 'review')],
      now,
    );
    expect(failed(results)).toEqual([]);
    expect(statuses).toEqual({ held: 1, declined: 1, review: 1 });
  });

  it('names missing, undecided, unreleased and unexplained payments', () => {
    const ids = accepted(['pay_a', 'pay_b', 'pay_c']);
    ids.set('key-hold', {
      id: 'pay_h',
      status: 'pending',
      attempts: 1,
      holdUntilMs: now - 60_000,
      payload: '{}',
    });
    const { results } = checkPayments(
      ids,
      [
        view('pay_a', 'pending', 'fraud'),
        view('pay_b', 'authorized'),
        view('pay_h', 'held'),
        view('pay_z', 'held'),
      ],
      now,
    );
    const text = failed(results).join('\n');
    expect(text).toContain('pay_c (key-2)');
    expect(text).toContain('pay_a=pending');
    expect(text).toContain('pay_b=authorized');
    expect(text).toContain('pay_h (hold ended');
    expect(text).toContain('unexplained payments: 1 — pay_z');
  });

  it('names two keys answered with one payment id', () => {
    const ids = accepted(['pay_a', 'pay_a']);
    expect(failed(checkPayments(ids, [view('pay_a', 'held')], now).results).join('\n')).toContain(
      'pay_a (keys key-0 and key-1)',
    );
  });

  it('treats pending and authorized as on the way, review and everything after as decided', () => {
    expect(terminalStatus({ status: 'pending', pendingStep: 'fraud' })).toBeNull();
    expect(terminalStatus({ status: 'pending', pendingStep: 'authorization' })).toBeNull();
    expect(terminalStatus({ status: 'authorized' })).toBeNull();
    expect(terminalStatus({ status: 'pending', pendingStep: 'review' })).toBe('review');
    for (const s of ['held', 'declined', 'released', 'refunded', 'partially_released', 'disputed'])
      expect(terminalStatus({ status: s })).toBe(s);
    expect(terminalStatus(null)).toBeNull();
  });
});
