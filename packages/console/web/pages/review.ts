// Review queue: payments the fraud model sent to a person, oldest first, with its reasons.
// Approve or decline with a note — confirmed once, then final (there is no undo anywhere).

import { ApiError } from '../api.js';
import { confirmAction, type PageContext } from '../context.js';
import { badge, clear, h, put, table } from '../dom.js';
import { label, money, time } from '../format.js';
import { type PaymentView, paymentLink, statusBadge, waitForPayment } from './shared.js';

export async function reviewPage(ctx: PageContext, page: HTMLElement): Promise<void> {
  const list = h('div', { 'aria-live': 'polite' });
  const admin = ctx.can('admin');

  const decide = async (p: PaymentView, decision: 'approve' | 'decline') => {
    const c = await confirmAction({
      title: `${decision === 'approve' ? 'Approve' : 'Decline'} payment ${p.id}?`,
      body: h(
        'p',
        null,
        `${money(p.amount, p.currency)} from ${p.customerId} to ${p.providerId}. `,
        decision === 'approve'
          ? 'It goes on to authorization and, if the network agrees, is captured and held in escrow.'
          : 'The customer’s payment is declined.',
        ' This cannot be undone.',
      ),
      note: { label: 'Note for the audit trail', required: true },
      confirmLabel: decision === 'approve' ? 'Approve payment' : 'Decline payment',
      danger: decision === 'decline',
    });
    if (!c) return;
    try {
      await ctx.api.post(`/v1/payments/${encodeURIComponent(p.id)}/review`, { decision, note: c.note });
      const after = await waitForPayment(
        ctx.api,
        p.id,
        (x) => !(x.status === 'pending' && x.pendingStep === 'review'),
      );
      ctx.announce(
        `Payment ${p.id} ${decision === 'approve' ? 'approved' : 'declined'}: now ${label(after.status)}.`,
        'ok',
      );
    } catch (err) {
      ctx.announce(
        err instanceof ApiError ? `Refused: ${err.message} (${err.code})` : (err as Error).message,
        'bad',
      );
    }
    await load();
  };

  const load = async () => {
    const res = await ctx.api.get<{ data: PaymentView[] }>('/v1/console/review-queue');
    clear(
      list,
      h('p', { class: 'muted', 'data-testid': 'review-count' }, `${res.data.length} waiting for review.`),
      table(
        'Payments waiting for review',
        [
          'Payment',
          'Amount',
          'Customer → provider',
          'Score',
          'Model’s reasons',
          'Created',
          admin ? 'Decision' : 'Status',
        ],
        res.data.map((p) => [
          paymentLink(p.id),
          money(p.amount, p.currency),
          `${p.customerId} → ${p.providerId}`,
          p.fraud ? badge(String(p.fraud.score), 'warn') : '—',
          p.fraud?.reasons.length
            ? h(
                'ul',
                { class: 'reasons' },
                p.fraud.reasons.map((r) => h('li', null, h('strong', null, r.code), ` ${r.description}`)),
              )
            : '—',
          time(p.createdAt),
          admin
            ? h(
                'div',
                { class: 'row-actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'primary small',
                    'aria-label': `Approve ${p.id}`,
                    onclick: () => void decide(p, 'approve'),
                  },
                  'Approve…',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger small',
                    'aria-label': `Decline ${p.id}`,
                    onclick: () => void decide(p, 'decline'),
                  },
                  'Decline…',
                ),
              )
            : statusBadge(p),
        ]),
        'the queue is empty.',
      ),
    );
  };
  await load();
  put(
    page,
    h('h1', null, 'Review queue'),
    admin
      ? null
      : h('p', { class: 'notice' }, 'Reviewing payments needs an admin key; this key can only look.'),
    list,
  );
  ctx.every(10_000, load);
}
