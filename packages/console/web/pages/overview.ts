// Overview: the performance dashboard over an hour, a day or a week — volume and amount,
// success and declines by reason, request-to-decision latency, fraud decisions and the review
// backlog, cost against the processor baseline with monthly and yearly projections, the trial
// balance and the audit chain. Refreshes every 5 s while shown.

import type { Json } from '../api.js';
import { timeChart } from '../charts.js';
import type { PageContext } from '../context.js';
import { badge, card, clear, h, put, table } from '../dom.js';
import { bps, count, label, money, ms, time } from '../format.js';

type Range = 'hour' | 'day' | 'week';
let range: Range = 'day';

interface Overview extends Json {
  payments: number;
  amountMinor: number;
  captured: number;
  capturedMinor: number;
  succeeded: number;
  declined: number;
  pending: number;
  successRateBps: number | null;
  declinesByReason: Record<string, number>;
  fraudDecisions: Record<string, number>;
  reviewBacklog: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; samples: number };
  series: { start: string; payments: number; amountMinor: number; succeeded: number; declined: number }[];
  costs: {
    currency: string;
    volumeMinor: number;
    ourCostMinor: number;
    processorBaselineMinor: number;
    savingMinor: number;
    savingBps: number;
    projection: {
      monthly: { processorBaselineMinor: number; ourCostMinor: number; savingMinor: number };
      yearly: { processorBaselineMinor: number; ourCostMinor: number; savingMinor: number };
    };
  };
  trialBalance: { balanced: boolean; currencies: { currency: string; debits: number; credits: number }[] };
  to: string;
  /** False when the range held more payments than one overview examines (newest counted). */
  complete: boolean;
}

function kpi(id: string, name: string, value: string, sub?: string) {
  return h(
    'div',
    { class: 'kpi', 'data-testid': `kpi-${id}` },
    h('div', { class: 'kpi-label' }, name),
    h('div', { class: 'kpi-value', 'data-value': value }, value),
    sub ? h('div', { class: 'kpi-sub' }, sub) : null,
  );
}

export async function overviewPage(ctx: PageContext, page: HTMLElement): Promise<void> {
  const body = h('div', { class: 'overview' });
  const updated = h('p', { class: 'updated muted', 'aria-live': 'off' });
  let audit: HTMLElement = h('span', null, 'admin only');
  const buttons = (['hour', 'day', 'week'] as const).map((r) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg',
        'aria-pressed': r === range ? 'true' : 'false',
        onclick: async () => {
          range = r;
          for (const b of buttons)
            b.setAttribute('aria-pressed', b.textContent === `Last ${r}` ? 'true' : 'false');
          await load();
        },
      },
      `Last ${r}`,
    ),
  );
  const render = (o: Overview) => {
    const c = o.costs;
    const tbText = o.trialBalance.currencies.map(
      (x) => `${x.currency} debits ${money(x.debits, x.currency)} = credits ${money(x.credits, x.currency)}`,
    );
    clear(
      body,
      o.complete
        ? null
        : h(
            'p',
            { class: 'notice' },
            'This range holds more payments than one overview examines: the newest are counted. Choose a shorter range for exact figures.',
          ),
      h(
        'div',
        { class: 'kpis' },
        kpi('payments', 'Payments', count(o.payments), `${money(o.amountMinor)} requested`),
        kpi('captured', 'Captured', count(o.captured), money(o.capturedMinor)),
        kpi(
          'success',
          'Success rate',
          bps(o.successRateBps),
          `${count(o.succeeded)} succeeded · ${count(o.declined)} declined`,
        ),
        kpi('review', 'Review backlog', count(o.reviewBacklog), `${count(o.pending)} pending in all`),
        kpi(
          'latency',
          'Decision latency p50 / p95 / p99',
          `${ms(o.latencyMs.p50)}`,
          `p95 ${ms(o.latencyMs.p95)} · p99 ${ms(o.latencyMs.p99)} (${count(o.latencyMs.samples)} payments)`,
        ),
        kpi(
          'saving',
          'Saving vs processor',
          money(c.savingMinor),
          `${c.savingBps} bps of ${money(c.volumeMinor)}`,
        ),
      ),
      h(
        'div',
        { class: 'grid-2' },
        timeChart(
          'Payments per interval',
          o.series.map((s) => s.start),
          [
            { label: 'Succeeded', color: '#15803d', values: o.series.map((s) => s.succeeded), fill: true },
            { label: 'Declined', color: '#b91c1c', values: o.series.map((s) => s.declined) },
          ],
          (v) => count(Math.round(v)),
        ),
        timeChart(
          'Amount requested per interval',
          o.series.map((s) => s.start),
          [{ label: 'Amount', color: '#1d4ed8', values: o.series.map((s) => s.amountMinor), fill: true }],
          (v) => money(Math.round(v)).replace(/\.\d\d$/, ''),
        ),
      ),
      h(
        'div',
        { class: 'grid-3' },
        card(
          'Declines by reason',
          table(
            'Declines by reason',
            ['Reason', 'Payments'],
            Object.entries(o.declinesByReason).map(([k, v]) => [label(k), count(v)]),
            'no declines in this range.',
          ),
        ),
        card(
          'Fraud decisions',
          table(
            'Fraud decisions',
            ['Decision', 'Payments'],
            Object.entries(o.fraudDecisions).map(([k, v]) => [label(k), count(v)]),
            'no decisions in this range.',
          ),
          h('p', null, h('a', { href: '#/review' }, `Review queue: ${count(o.reviewBacklog)} waiting`)),
        ),
        card(
          'Books',
          h(
            'p',
            { 'data-testid': 'trial-balance' },
            'Trial balance: ',
            o.trialBalance.balanced ? badge('balanced', 'ok') : badge('NOT BALANCED', 'bad'),
          ),
          tbText.length
            ? h('p', { class: 'muted small' }, tbText.join('; '))
            : h('p', { class: 'muted' }, 'No postings yet.'),
          h('p', null, 'Audit chain: ', audit),
        ),
      ),
      card(
        'Cost against the processor baseline',
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'numbers', 'data-testid': 'costs' },
            h('caption', null, `Costs for the ${range} to ${time(o.to)} and at that rate`),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['', 'This range', 'Per month (projected)', 'Per year (projected)'].map((x) =>
                  h('th', { scope: 'col' }, x),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, 'Processor baseline'),
                h('td', null, money(c.processorBaselineMinor)),
                h('td', null, money(c.projection.monthly.processorBaselineMinor)),
                h('td', null, money(c.projection.yearly.processorBaselineMinor)),
              ),
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, 'Ours'),
                h('td', null, money(c.ourCostMinor)),
                h('td', null, money(c.projection.monthly.ourCostMinor)),
                h('td', null, money(c.projection.yearly.ourCostMinor)),
              ),
              h(
                'tr',
                { class: 'total' },
                h('th', { scope: 'row' }, 'Saving'),
                h('td', { 'data-testid': 'saving' }, money(c.savingMinor)),
                h('td', null, money(c.projection.monthly.savingMinor)),
                h('td', null, money(c.projection.yearly.savingMinor)),
              ),
            ),
          ),
        ),
        h(
          'p',
          { class: 'muted small' },
          `Saving = baseline − ours, to the cent; ${c.savingBps} basis points of ${money(c.volumeMinor)} captured (rounded half to even). Projections scale this range to a month (a twelfth of 365 days) and a year.`,
        ),
      ),
    );
    updated.textContent = `Live · updated ${time(new Date().toISOString())}`;
  };
  const load = async () => render(await ctx.api.get<Overview>(`/v1/console/overview?range=${range}`));
  if (ctx.can('admin')) {
    try {
      const v = await ctx.api.get<{ ok: boolean; events: number; problemCount: number }>('/v1/audit/verify');
      audit = v.ok
        ? badge(`verified (${count(v.events)} events)`, 'ok')
        : badge(`${v.problemCount} problems`, 'bad');
    } catch (err) {
      audit = badge(`not checked: ${(err as Error).message}`, 'warn');
    }
  }
  await load();
  put(
    page,
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Overview'),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time range' }, buttons),
    ),
    updated,
    body,
  );
  ctx.every(5_000, load);
}
