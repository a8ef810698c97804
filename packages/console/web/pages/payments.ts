// Payments: search and filter (status, customer, provider, amount, date), newest first, more
// pages on request.

import type { PageContext } from '../context.js';
import { clear, h, put, table } from '../dom.js';
import { money, parseDollars, time } from '../format.js';
import { type PaymentView, paymentLink, statusBadge } from './shared.js';

const STATUSES = [
  '',
  'pending',
  'authorized',
  'held',
  'partially_released',
  'partially_refunded',
  'released',
  'refunded',
  'declined',
  'disputed',
];

function field(id: string, text: string, input: HTMLElement) {
  return h('div', { class: 'field' }, h('label', { for: id }, text), input);
}

export async function paymentsPage(ctx: PageContext, page: HTMLElement): Promise<void> {
  const status = h(
    'select',
    { id: 'f-status', name: 'status' },
    STATUSES.map((s) => h('option', { value: s }, s === '' ? 'Any status' : s.replaceAll('_', ' '))),
  );
  const customer = h('input', { id: 'f-customer', name: 'customerId', autocomplete: 'off' });
  const provider = h('input', { id: 'f-provider', name: 'providerId', autocomplete: 'off' });
  const min = h('input', {
    id: 'f-min',
    name: 'min',
    inputmode: 'decimal',
    autocomplete: 'off',
    placeholder: '0.00',
  });
  const max = h('input', {
    id: 'f-max',
    name: 'max',
    inputmode: 'decimal',
    autocomplete: 'off',
    placeholder: '0.00',
  });
  const from = h('input', { id: 'f-from', name: 'from', type: 'date' });
  const to = h('input', { id: 'f-to', name: 'to', type: 'date' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const results = h('div', { 'aria-live': 'polite' });
  let rows: PaymentView[] = [];
  let cursor: string | null = null;

  const query = (): string => {
    const q = new URLSearchParams({ limit: '25' });
    if (status.value) q.set('status', status.value);
    if (customer.value.trim()) q.set('customerId', customer.value.trim());
    if (provider.value.trim()) q.set('providerId', provider.value.trim());
    const lo = parseDollars(min.value);
    const hi = parseDollars(max.value);
    if (lo !== null) q.set('minAmount', String(lo));
    if (hi !== null) q.set('maxAmount', String(hi));
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', new Date(Date.parse(`${to.value}T00:00:00Z`) + 86_400_000).toISOString());
    return q.toString();
  };
  const render = () => {
    const more = cursor
      ? h('button', { type: 'button', class: 'secondary', onclick: () => void load(true) }, 'Load more')
      : null;
    clear(
      results,
      h(
        'p',
        { class: 'muted' },
        `${rows.length} payment${rows.length === 1 ? '' : 's'} shown${cursor ? ' (more available)' : ''}.`,
      ),
      table(
        'Payments',
        ['Payment', 'Status', 'Amount', 'Customer', 'Provider', 'Fraud', 'Created'],
        rows.map((p) => [
          paymentLink(p.id),
          statusBadge(p),
          money(p.amount, p.currency),
          p.customerId,
          p.providerId,
          p.fraud ? `${p.fraud.decision} (${p.fraud.score})` : '—',
          time(p.createdAt),
        ]),
        'no payments match.',
      ),
      more,
    );
  };
  const load = async (next = false) => {
    error.textContent = '';
    let q: string;
    try {
      q = query();
    } catch (err) {
      error.textContent = (err as Error).message;
      return;
    }
    try {
      const res = await ctx.api.get<{ data: PaymentView[]; nextCursor: string | null }>(
        `/v1/payments?${q}${next && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      rows = next ? [...rows, ...res.data] : res.data;
      cursor = res.nextCursor;
      render();
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter payments', novalidate: true },
    field('f-status', 'Status', status),
    field('f-customer', 'Customer id', customer),
    field('f-provider', 'Provider id', provider),
    field('f-min', 'Min amount ($)', min),
    field('f-max', 'Max amount ($)', max),
    field('f-from', 'Created from', from),
    field('f-to', 'Created to', to),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, 'Search')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  await load();
  put(page, h('h1', null, 'Payments'), form, error, results);
}
