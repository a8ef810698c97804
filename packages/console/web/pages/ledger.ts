// Ledger and audit: the trial balance, every account, the newest journal entries, the audit
// chain verified with one click (admin), and a live tail of the log.

import type { Json } from '../api.js';
import type { PageContext } from '../context.js';
import { badge, card, clear, h, put, table } from '../dom.js';
import { count, money, time } from '../format.js';
import { journalTable } from './payment.js';

interface TailEvent {
  eventId: string;
  type: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string;
  payload: Json;
}

export async function ledgerPage(ctx: PageContext, page: HTMLElement): Promise<void> {
  const [tb, accounts, journal] = await Promise.all([
    ctx.api.get<{ balanced: boolean; currencies: { currency: string; debits: number; credits: number }[] }>(
      '/v1/ledger/trial-balance',
    ),
    ctx.api.get<{
      data: {
        id: string;
        kind: string;
        currency: string;
        balance: number;
        debits: number;
        credits: number;
        postings: number;
      }[];
    }>('/v1/ledger/accounts'),
    ctx.api.get<{ data: TailEvent[] }>('/v1/console/events?type=JournalEntryPosted&limit=5'),
  ]);
  const tail = h('div', { 'aria-live': 'off' });
  const loadTail = async () => {
    const res = await ctx.api.get<{ data: TailEvent[] }>('/v1/console/events?limit=25');
    clear(
      tail,
      table(
        'Newest events',
        ['Time', 'Type', 'Aggregate', 'Version'],
        res.data.map((e) => [
          time(e.occurredAt),
          e.type,
          h('span', { class: 'mono' }, e.aggregateId),
          String(e.aggregateVersion),
        ]),
        'no events yet.',
      ),
    );
  };
  await loadTail();
  const verifyResult = h('p', { role: 'status' });
  const verify = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        verify.setAttribute('disabled', '');
        verifyResult.textContent = 'Verifying every event’s hash chain…';
        try {
          const r = await ctx.api.get<{ ok: boolean; events: number; problemCount: number }>(
            '/v1/audit/verify',
          );
          clear(
            verifyResult,
            r.ok
              ? badge(`Verified: ${count(r.events)} events, chain intact`, 'ok')
              : badge(`${count(r.problemCount)} problems found`, 'bad'),
          );
        } catch (err) {
          verifyResult.textContent = `Could not verify: ${(err as Error).message}`;
        } finally {
          verify.removeAttribute('disabled');
        }
      },
    },
    'Verify audit chain',
  );
  put(
    page,
    h('h1', null, 'Ledger & audit'),
    h(
      'div',
      { class: 'grid-2' },
      card(
        'Trial balance',
        h(
          'p',
          { 'data-testid': 'trial-balance' },
          tb.balanced ? badge('balanced', 'ok') : badge('NOT BALANCED', 'bad'),
        ),
        table(
          'Debits and credits per currency',
          ['Currency', 'Debits', 'Credits'],
          tb.currencies.map((c) => [c.currency, money(c.debits, c.currency), money(c.credits, c.currency)]),
          'no postings.',
        ),
      ),
      card(
        'Audit chain',
        h(
          'p',
          null,
          'Every event carries the hash of the one before it on its aggregate; verifying recomputes them all from the log.',
        ),
        ctx.can('admin')
          ? [verify, verifyResult]
          : h('p', { class: 'muted' }, 'Verifying needs an admin key.'),
      ),
    ),
    card(
      'Accounts',
      table(
        'Ledger accounts',
        ['Account', 'Kind', 'Debits', 'Credits', 'Balance', 'Postings'],
        accounts.data.map((a) => [
          h('span', { class: 'mono' }, a.id),
          a.kind,
          money(a.debits, a.currency),
          money(a.credits, a.currency),
          money(a.balance, a.currency),
          count(a.postings),
        ]),
        'no accounts yet.',
      ),
    ),
    card(
      'Journal (newest entries)',
      journal.data.length
        ? journal.data.map((e) => h('div', { class: 'journal-entry' }, journalTable(e)))
        : h('p', { class: 'muted' }, 'No entries yet.'),
    ),
    card('Live tail of the log', h('p', { class: 'muted small' }, 'Refreshes every 3 s.'), tail),
  );
  ctx.every(3_000, loadTail);
}
