// A payment: its figures, the fraud score and reasons, its escrow (with actions), the journal
// entries it posted and its event timeline, read from the log with each event's hash checked.

import type { Json } from '../api.js';
import type { PageContext } from '../context.js';
import { badge, card, h, put, table } from '../dom.js';
import { label, money, time } from '../format.js';
import { escrowPanel, loadEscrow } from './escrow-panel.js';
import { type PaymentView, statusBadge } from './shared.js';

interface HistoryEvent {
  eventId: string;
  type: string;
  aggregateVersion: number;
  occurredAt: string;
  verified: boolean;
  payload: Json;
}

interface Posting {
  account: string;
  amountMinor: number;
  currency: string;
}

/** Journal entries as tables: debits are positive amounts, credits negative. */
export function journalTable(e: { occurredAt: string; payload: Json }) {
  const rows = ((e.payload.postings ?? []) as Posting[]).map((x) => [
    h('span', { class: 'mono' }, x.account),
    x.amountMinor > 0 ? money(x.amountMinor, x.currency) : '',
    x.amountMinor < 0 ? money(-x.amountMinor, x.currency) : '',
  ]);
  return table(
    `${String(e.payload.description ?? 'Entry')} · ${time(e.occurredAt)}`,
    ['Account', 'Debit', 'Credit'],
    rows,
  );
}

export async function paymentPage(
  ctx: PageContext,
  page: HTMLElement,
  [id]: readonly string[],
): Promise<void> {
  const p = await ctx.api.get<PaymentView>(`/v1/payments/${encodeURIComponent(id!)}`);
  const history = await ctx.api.get<{ verified: boolean; events: HistoryEvent[] }>(
    `/v1/audit/events?aggregateId=${encodeURIComponent(p.id)}`,
  );
  const escrow = p.escrowId ? await loadEscrow(ctx.api, p.escrowId).catch(() => null) : null;
  const journal = history.events.filter((e) => e.type === 'JournalEntryPosted');
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  put(
    page,
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Payment ', h('span', { class: 'mono' }, p.id)),
      statusBadge(p),
    ),
    h(
      'div',
      { class: 'grid-2' },
      card(
        'Summary',
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, 'Amount'),
          h('dd', null, money(p.amount, p.currency)),
          h('dt', null, 'Customer'),
          h('dd', null, p.customerId),
          h('dt', null, 'Provider'),
          h('dd', null, p.providerId),
          h('dt', null, 'Captured'),
          h('dd', null, money(p.amounts.captured, p.currency)),
          h('dt', null, 'Held / released / refunded'),
          h(
            'dd',
            null,
            `${money(p.amounts.held, p.currency)} / ${money(p.amounts.released, p.currency)} / ${money(p.amounts.refunded, p.currency)}`,
          ),
          h('dt', null, 'Created'),
          h('dd', null, time(p.createdAt)),
          p.decline
            ? [
                h('dt', null, 'Declined'),
                h('dd', null, `${label(p.decline.code)} at ${p.decline.stage}: ${p.decline.message}`),
              ]
            : null,
        ),
      ),
      card(
        'Fraud assessment',
        p.fraud
          ? [
              h(
                'p',
                null,
                'Score ',
                h('strong', { 'data-testid': 'fraud-score' }, String(p.fraud.score)),
                ' → ',
                badge(
                  p.fraud.decision,
                  p.fraud.decision === 'approve' ? 'ok' : p.fraud.decision === 'decline' ? 'bad' : 'warn',
                ),
                ` (model ${p.fraud.modelVersion})`,
              ),
              table(
                'Reasons',
                ['Reason', 'Contribution'],
                p.fraud.reasons.map((r) => [
                  h('span', null, h('strong', null, r.code), ' — ', r.description),
                  String(r.contribution),
                ]),
                'none given.',
              ),
            ]
          : h('p', { class: 'muted' }, 'Not assessed yet.'),
      ),
    ),
    escrow ? escrowPanel(ctx, escrow, reload) : null,
    card(
      'Journal entries',
      journal.length === 0
        ? h('p', { class: 'muted' }, 'No journal entries.')
        : journal.map((e) => h('div', { class: 'journal-entry' }, journalTable(e))),
    ),
    card(
      'Event timeline',
      h('p', null, 'Hash chain: ', history.verified ? badge('verified', 'ok') : badge('BROKEN', 'bad')),
      h(
        'ol',
        { class: 'timeline' },
        history.events.map((e) =>
          h(
            'li',
            null,
            h('span', { class: 'timeline-time' }, time(e.occurredAt)),
            h('strong', null, e.type),
            h('span', { class: 'muted' }, ` v${e.aggregateVersion}`),
            e.verified ? null : badge('hash mismatch', 'bad'),
          ),
        ),
      ),
    ),
  );
}
