// An escrow with its amounts, disputes and the actions a write key may take: release (all or
// part), refund (all or part), open a dispute, resolve it. Each is confirmed once in a dialog,
// sent with a fresh Idempotency-Key, and its result read back before it is announced.

import { type Api, ApiError, type Json } from '../api.js';
import { confirmAction, type PageContext } from '../context.js';
import { badge, card, h, table } from '../dom.js';
import { label, money, parseDollars, time } from '../format.js';
import { waitForPayment } from './shared.js';

export interface EscrowView extends Json {
  id: string;
  paymentId: string;
  providerId: string;
  status: string;
  currency: string;
  amount: number;
  held: number;
  frozen: number;
  released: number;
  fees: number;
  refunded: number;
  holdUntil: string | null;
  autoRelease: boolean;
  disputes: { id: string; reason: string; openedAt: string; outcome: string | null }[];
}

async function act(
  ctx: PageContext,
  e: EscrowView,
  path: string,
  body: Json,
  done: string,
  onDone: () => void,
) {
  try {
    const before = await ctx.api.get<{ version: number }>(`/v1/payments/${encodeURIComponent(e.paymentId)}`);
    await ctx.api.post(path, body);
    await waitForPayment(ctx.api, e.paymentId, (p) => Number(p.version) > before.version);
    ctx.announce(done, 'ok');
    onDone();
  } catch (err) {
    ctx.announce(
      err instanceof ApiError ? `Refused: ${err.message} (${err.code})` : `Failed: ${(err as Error).message}`,
      'bad',
    );
  }
}

function amountBody(text: string): Json {
  const minor = parseDollars(text);
  return minor === null ? {} : { amount: minor };
}

export async function loadEscrow(api: Api, id: string): Promise<EscrowView> {
  return await api.get<EscrowView>(`/v1/escrows/${encodeURIComponent(id)}`);
}

export function escrowPanel(ctx: PageContext, e: EscrowView, refresh: () => void) {
  const base = `/v1/escrows/${encodeURIComponent(e.id)}`;
  const openDispute = e.disputes.find((d) => d.outcome === null);
  const actions: HTMLElement[] = [];
  if (ctx.can('write') && e.held > 0 && !openDispute) {
    actions.push(
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: async () => {
            const c = await confirmAction({
              title: 'Release funds to the provider',
              body: h(
                'p',
                null,
                `Held: ${money(e.held, e.currency)}. The platform fee is taken from what is released.`,
              ),
              amount: { label: 'Amount to release ($)', hint: 'Leave empty to release everything held.' },
              confirmLabel: 'Release',
            });
            if (!c) return;
            try {
              await act(
                ctx,
                e,
                `${base}/release`,
                amountBody(c.amount),
                'Released to the provider.',
                refresh,
              );
            } catch (err) {
              ctx.announce((err as Error).message, 'bad');
            }
          },
        },
        'Release…',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            const c = await confirmAction({
              title: 'Refund the customer',
              body: h('p', null, `Held: ${money(e.held, e.currency)}.`),
              amount: { label: 'Amount to refund ($)', hint: 'Leave empty to refund everything held.' },
              note: { label: 'Reason', required: false },
              confirmLabel: 'Refund',
              danger: true,
            });
            if (!c) return;
            try {
              const body = { ...amountBody(c.amount), ...(c.note ? { reason: c.note } : {}) };
              await act(
                ctx,
                e,
                `/v1/payments/${encodeURIComponent(e.paymentId)}/refunds`,
                body,
                'Refunded.',
                refresh,
              );
            } catch (err) {
              ctx.announce((err as Error).message, 'bad');
            }
          },
        },
        'Refund…',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            const c = await confirmAction({
              title: 'Open a dispute',
              body: h('p', null, 'Everything still held is frozen until the dispute is resolved.'),
              note: { label: 'Why the customer disputes', required: true },
              confirmLabel: 'Open dispute',
              danger: true,
            });
            if (c) await act(ctx, e, `${base}/disputes`, { reason: c.note }, 'Dispute opened.', refresh);
          },
        },
        'Open dispute…',
      ),
    );
  }
  if (ctx.can('write') && openDispute) {
    actions.push(
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: async () => {
            const c = await confirmAction({
              title: 'Resolve the dispute',
              body: h(
                'p',
                null,
                `Frozen: ${money(e.frozen, e.currency)}. Reason given: `,
                h('q', null, openDispute.reason),
              ),
              choices: {
                label: 'Outcome',
                name: 'outcome',
                options: [
                  { value: 'release', label: 'Release to the provider' },
                  { value: 'refund', label: 'Refund the customer' },
                ],
              },
              confirmLabel: 'Resolve',
            });
            if (c)
              await act(
                ctx,
                e,
                `${base}/disputes/resolve`,
                { outcome: c.choice },
                `Dispute resolved: ${c.choice}.`,
                refresh,
              );
          },
        },
        'Resolve dispute…',
      ),
    );
  }
  return card(
    `Escrow ${e.id}`,
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Status'),
      h('dd', null, badge(label(e.status), e.status === 'disputed' ? 'warn' : 'neutral')),
      h('dt', null, 'Provider'),
      h('dd', null, e.providerId),
      h('dt', null, 'Amount'),
      h('dd', null, money(e.amount, e.currency)),
      h('dt', null, 'Held'),
      h('dd', { 'data-testid': 'escrow-held' }, money(e.held, e.currency)),
      h('dt', null, 'Frozen'),
      h('dd', null, money(e.frozen, e.currency)),
      h('dt', null, 'Released (fees)'),
      h('dd', null, `${money(e.released, e.currency)} (${money(e.fees, e.currency)})`),
      h('dt', null, 'Refunded'),
      h('dd', null, money(e.refunded, e.currency)),
      h('dt', null, 'Hold until'),
      h('dd', null, e.holdUntil ? `${time(e.holdUntil)}${e.autoRelease ? ' (auto-release)' : ''}` : '—'),
    ),
    table(
      'Disputes',
      ['Opened', 'Reason', 'Outcome'],
      e.disputes.map((d) => [time(d.openedAt), d.reason, d.outcome ?? badge('open', 'warn')]),
      'none.',
    ),
    actions.length ? h('div', { class: 'actions' }, actions) : null,
  );
}
