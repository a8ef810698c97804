// Prometheus metrics: one registry per process, default Node metrics plus what each service adds.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  histogram(name: string, help: string, labelNames?: readonly string[], buckets?: number[]): Histogram;
}

export function createMetrics(prefix = 'paystream_'): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const made = new Map<string, Counter | Gauge | Histogram>();
  const once = <T extends Counter | Gauge | Histogram>(name: string, make: () => T): T => {
    const existing = made.get(name);
    if (existing) return existing as T;
    const m = make();
    made.set(name, m);
    return m;
  };
  return {
    registry,
    counter: (name, help, labelNames = []) =>
      once(
        name,
        () => new Counter({ name: prefix + name, help, labelNames: [...labelNames], registers: [registry] }),
      ),
    gauge: (name, help, labelNames = []) =>
      once(
        name,
        () => new Gauge({ name: prefix + name, help, labelNames: [...labelNames], registers: [registry] }),
      ),
    histogram: (name, help, labelNames = [], buckets = [0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000]) =>
      once(
        name,
        () =>
          new Histogram({
            name: prefix + name,
            help,
            labelNames: [...labelNames],
            buckets,
            registers: [registry],
          }),
      ),
  };
}
