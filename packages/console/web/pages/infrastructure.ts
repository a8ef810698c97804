// Infrastructure (admin): consumer lag per group, the newest dead letters with their reasons,
// and the health checks of the services this server runs. Refreshes every 5 s.

import type { PageContext } from '../context.js';
import { badge, card, clear, h, put, table } from '../dom.js';
import { count, time } from '../format.js';

interface Infra {
  consumers: {
    group: string;
    service: string;
    topics: string[];
    lag: number | null;
    maxPartitionLag: number | null;
    error: string | null;
  }[];
  deadLetters: {
    total: number;
    newest: {
      offset: number;
      reason: string;
      sourceTopic: string | null;
      sourcePartition: number | null;
      sourceOffset: number | null;
      at: string | null;
    }[];
  };
  health: { status: string; checks?: Record<string, boolean> };
}

export async function infrastructurePage(ctx: PageContext, page: HTMLElement): Promise<void> {
  const body = h('div');
  const load = async () => {
    const r = await ctx.api.get<Infra>('/v1/console/infrastructure');
    clear(
      body,
      h(
        'div',
        { class: 'kpis' },
        h(
          'div',
          { class: 'kpi' },
          h('div', { class: 'kpi-label' }, 'Health'),
          h(
            'div',
            { class: 'kpi-value' },
            r.health.status === 'ok' ? badge('ok', 'ok') : badge(r.health.status, 'bad'),
          ),
        ),
        h(
          'div',
          { class: 'kpi' },
          h('div', { class: 'kpi-label' }, 'Total consumer lag'),
          h('div', { class: 'kpi-value' }, count(r.consumers.reduce((a, c) => a + (c.lag ?? 0), 0))),
        ),
        h(
          'div',
          { class: 'kpi' },
          h('div', { class: 'kpi-label' }, 'Dead letters'),
          h('div', { class: 'kpi-value' }, count(r.deadLetters.total)),
        ),
      ),
      card(
        'Consumer lag per group',
        table(
          'Consumer groups',
          ['Group', 'Service', 'Topics', 'Lag (records)', 'Worst partition', 'State'],
          r.consumers.map((c) => [
            h('span', { class: 'mono' }, c.group),
            c.service,
            c.topics.join(', '),
            count(c.lag),
            count(c.maxPartitionLag),
            c.error
              ? badge(c.error, 'bad')
              : c.lag === 0
                ? badge('caught up', 'ok')
                : badge('behind', 'warn'),
          ]),
        ),
      ),
      card(
        'Dead letters (newest)',
        table(
          'Dead letters',
          ['Offset', 'Reason', 'From', 'At'],
          r.deadLetters.newest.map((d) => [
            String(d.offset),
            d.reason,
            d.sourceTopic ? `${d.sourceTopic}/${d.sourcePartition}@${d.sourceOffset}` : '—',
            time(d.at),
          ]),
          'none — nothing was given up on.',
        ),
      ),
      card(
        'Service health',
        table(
          'Health checks',
          ['Check', 'State'],
          Object.entries(r.health.checks ?? {}).map(([k, v]) => [
            k,
            v ? badge('ok', 'ok') : badge('failing', 'bad'),
          ]),
        ),
      ),
    );
  };
  await load();
  put(page, h('h1', null, 'Infrastructure'), body);
  ctx.every(5_000, load);
}
