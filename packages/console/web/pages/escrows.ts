// Escrows and disputes: payments whose money is still in escrow (held, partly released or
// refunded, disputed); one escrow's page carries its actions.

import type { PageContext } from '../context.js';
import { h, put, table } from '../dom.js';
import { money, time } from '../format.js';
import { escrowPanel, loadEscrow } from './escrow-panel.js';
import { type PaymentView, paymentLink, statusBadge } from './shared.js';

export async function escrowsPage(
  ctx: PageContext,
  page: HTMLElement,
  [id]: readonly string[],
): Promise<void> {
  if (id !== undefined) {
    const e = await loadEscrow(ctx.api, id);
    put(
      page,
      h('p', null, h('a', { href: '#/escrows' }, '← All open escrows')),
      h('h1', null, 'Escrow'),
      h('p', null, 'Payment ', paymentLink(e.paymentId)),
      escrowPanel(ctx, e, () => window.dispatchEvent(new HashChangeEvent('hashchange'))),
    );
    return;
  }
  const res = await ctx.api.get<{ data: PaymentView[] }>(
    '/v1/payments?status=held,partially_released,partially_refunded,disputed&limit=100',
  );
  const disputed = res.data.filter((p) => p.status === 'disputed');
  const rows = (ps: PaymentView[]) =>
    ps.map((p) => [
      h(
        'a',
        {
          href: `#/escrows/${encodeURIComponent(p.escrowId ?? '')}`,
          class: 'mono',
          'data-escrow': p.escrowId ?? '',
        },
        p.escrowId ?? '—',
      ),
      paymentLink(p.id),
      statusBadge(p),
      p.providerId,
      money(p.amounts.held, p.currency),
      money(p.amounts.frozen, p.currency),
      time(p.createdAt),
    ]);
  const headers = ['Escrow', 'Payment', 'Status', 'Provider', 'Held', 'Frozen', 'Created'];
  put(
    page,
    h('h1', null, 'Escrows & disputes'),
    ctx.can('write')
      ? null
      : h(
          'p',
          { class: 'notice' },
          'Releasing, refunding and disputes need a write key; this key can only look.',
        ),
    table('Open disputes', headers, rows(disputed), 'none open.'),
    table('Money in escrow', headers, rows(res.data.filter((p) => p.status !== 'disputed')), 'nothing held.'),
  );
}
