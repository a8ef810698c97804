// Providers and payouts: each provider's balances (held, available, in transit, paid), the
// payouts, the ACH batches by window with their NACHA files (download: admin), returns and
// notifications of change.

import { ApiError, type Json } from '../api.js';
import { confirmAction, type PageContext } from '../context.js';
import { badge, card, h, put, table } from '../dom.js';
import { count, label, money, time } from '../format.js';

interface Balance {
  currency: string;
  held: number;
  available: number;
  inTransit: number;
  paid: number;
  returned: number;
  released: number;
  fees: number;
}

interface Payout extends Json {
  id: string;
  providerId: string;
  amount: number;
  currency: string;
  status: string;
  windowId: string;
  effectiveDate: string;
  batchId: string | null;
  return: { code: string; description: string } | null;
}

interface Batch extends Json {
  id: string;
  fileId: string;
  windowId: string;
  entryCount: number;
  totalCredit: number;
  currency: string;
  closedAt: string;
}

const PAYOUT_TONE: Record<string, 'ok' | 'bad' | 'warn' | 'neutral'> = {
  paid: 'ok',
  returned: 'bad',
  in_transit: 'neutral',
  scheduled: 'warn',
};

export async function providersPage(ctx: PageContext, page: HTMLElement): Promise<void> {
  const admin = ctx.can('admin');
  const [providers, payouts, batches, returns, nocs] = await Promise.all([
    ctx.api.get<{ data: { providerId: string; balances: Balance[] }[] }>('/v1/providers'),
    ctx.api.get<{ data: Payout[] }>('/v1/payouts?limit=50'),
    ctx.api.get<{ data: Batch[] }>('/v1/ach/batches?limit=50'),
    ctx.api.get<{ data: Json[] }>('/v1/ach/returns'),
    ctx.api.get<{ data: { occurredAt: string; payload: Json }[] }>(
      '/v1/console/events?type=BankAccountUpdated&limit=50',
    ),
  ]);
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

  const download = async (b: Batch) => {
    try {
      const { blob, filename } = await ctx.api.download(`/v1/ach/batches/${encodeURIComponent(b.id)}/file`);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: filename, class: 'hidden' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      ctx.announce(`Downloaded ${filename}.`, 'ok');
    } catch (err) {
      ctx.announce(err instanceof ApiError ? `Refused: ${err.message}` : (err as Error).message, 'bad');
    }
  };
  const closeWindow = async () => {
    const c = await confirmAction({
      title: 'Close the ACH window now?',
      body: h(
        'p',
        null,
        'Every release waiting for a payout is batched into a NACHA file now, instead of at the next cutoff.',
      ),
      confirmLabel: 'Close window',
    });
    if (!c) return;
    try {
      const r = await ctx.api.post<{ windows?: { files?: unknown[] }[] }>('/v1/ach/windows/close', {});
      const files = (r.windows ?? []).reduce((a, w) => a + (w.files?.length ?? 0), 0);
      ctx.announce(`Window closed: ${files} file${files === 1 ? '' : 's'} written.`, 'ok');
      reload();
    } catch (err) {
      ctx.announce(err instanceof ApiError ? `Refused: ${err.message}` : (err as Error).message, 'bad');
    }
  };

  put(
    page,
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Providers & payouts'),
      admin
        ? h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void closeWindow() },
            'Close ACH window now…',
          )
        : null,
    ),
    card(
      'Balances',
      table(
        'Provider balances',
        ['Provider', 'Held', 'Available', 'In transit', 'Paid', 'Returned', 'Fees'],
        providers.data.flatMap((p) =>
          p.balances.map((b) => [
            h('span', { class: 'mono', 'data-provider': p.providerId }, p.providerId),
            money(b.held, b.currency),
            h('span', { 'data-testid': `available-${p.providerId}` }, money(b.available, b.currency)),
            money(b.inTransit, b.currency),
            money(b.paid, b.currency),
            money(b.returned, b.currency),
            money(b.fees, b.currency),
          ]),
        ),
        'no providers yet.',
      ),
    ),
    card(
      'ACH batches by window',
      table(
        'NACHA files written',
        ['Window', 'Batch', 'Entries', 'Total credit', 'Closed', admin ? 'NACHA file' : 'File'],
        batches.data.map((b) => [
          b.windowId,
          h('span', { class: 'mono' }, b.id),
          count(b.entryCount),
          money(b.totalCredit, b.currency),
          time(b.closedAt),
          admin
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'secondary small',
                  'aria-label': `Download the NACHA file of ${b.id}`,
                  'data-download': b.id,
                  onclick: () => void download(b),
                },
                'Download',
              )
            : h('span', { class: 'muted' }, 'admin only'),
        ]),
        'no window has closed yet.',
      ),
    ),
    card(
      'Payouts',
      table(
        'Newest payouts',
        ['Payout', 'Provider', 'Amount', 'Status', 'Window', 'Effective'],
        payouts.data.map((p) => [
          h('span', { class: 'mono' }, p.id),
          p.providerId,
          money(p.amount, p.currency),
          h(
            'span',
            null,
            badge(label(p.status), PAYOUT_TONE[p.status] ?? 'neutral'),
            p.return ? ` ${p.return.code}` : '',
          ),
          p.windowId,
          p.effectiveDate,
        ]),
        'no payouts yet.',
      ),
    ),
    h(
      'div',
      { class: 'grid-2' },
      card(
        'Returns',
        table(
          'ACH returns',
          ['Code', 'Description', 'Amount', 'Payout', 'Received'],
          returns.data.map((r) => [
            badge(String(r.code), 'bad'),
            String(r.description),
            money(Number(r.amount), String(r.currency)),
            h('span', { class: 'mono' }, String(r.payoutId)),
            time(String(r.receivedAt)),
          ]),
          'none.',
        ),
      ),
      card(
        'Notifications of change',
        table(
          'Bank account updates (NOCs and returns)',
          ['Bank account', 'Status', 'Reason', 'Changed', 'At'],
          nocs.data.map((e) => {
            const d = e.payload;
            const changed = ['routingNumber', 'accountType', 'last4'].filter(
              (k) => d[k] !== null && d[k] !== undefined,
            );
            return [
              h('span', { class: 'mono' }, String(d.bankAccountId)),
              String(d.status),
              String(d.reason),
              changed.join(', ') || '—',
              time(e.occurredAt),
            ];
          }),
          'none.',
        ),
      ),
    ),
  );
}
