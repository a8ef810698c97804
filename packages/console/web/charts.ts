// Charts with uPlot: sized to their container and resized with it. uPlot styles its elements
// through the CSSOM (element.style), which a style-src CSP does not restrict; its stylesheet is
// bundled into console.css.

import uPlot from 'uplot';
import { h } from './dom.js';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly fill?: boolean;
}

export function timeChart(
  title: string,
  timesIso: readonly string[],
  series: readonly Series[],
  unit: (v: number) => string,
) {
  const box = h('figure', { class: 'chart', role: 'img', 'aria-label': title });
  const caption = h('figcaption', null, title);
  box.appendChild(caption);
  const holder = h('div', { class: 'chart-area' });
  box.appendChild(holder);
  const data: uPlot.AlignedData = [
    timesIso.map((t) => Date.parse(t) / 1000),
    ...series.map((s) => [...s.values]),
  ];
  let plot: uPlot | null = null;
  const draw = () => {
    const width = Math.max(260, holder.clientWidth);
    if (plot) {
      plot.setSize({ width, height: 220 });
      return;
    }
    plot = new uPlot(
      {
        width,
        height: 220,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#334155', grid: { stroke: '#e2e8f0' } },
          {
            stroke: '#334155',
            grid: { stroke: '#e2e8f0' },
            values: (_u, vals) => vals.map((v) => unit(v)),
            size: 70,
          },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            ...(s.fill ? { fill: `${s.color}22` } : {}),
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : unit(v)),
          })),
        ],
      },
      data,
      holder,
    );
  };
  const observer = new ResizeObserver(() => draw());
  observer.observe(holder);
  return box;
}
