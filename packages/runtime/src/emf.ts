// The process's business counters to CloudWatch without an agent: every interval, one line of
// CloudWatch Embedded Metric Format per counter and label set on stdout, which ECS's awslogs
// driver ships to CloudWatch Logs and CloudWatch turns into metrics (namespace Paystream). Values
// are what was counted since the last line (deltas), never the running Prometheus totals, so a
// restart does not show as a spike. Only the counters in EMF_COUNTERS are sent, with their
// labels mapped to a few dimensions, so the number of metrics (and their cost) is bounded.

import type { Metrics } from './metrics.js';

export const EMF_NAMESPACE = 'Paystream';

/** Prometheus counter (without the prefix) → CloudWatch metric name and the labels kept. */
export const EMF_COUNTERS: Readonly<Record<string, { metric: string; labels: readonly string[] }>> = {
  http_requests_total: { metric: 'HttpResponses', labels: ['statusClass'] },
  fraud_decisions_total: { metric: 'FraudDecisions', labels: ['decision'] },
  escrow_commands_total: { metric: 'EscrowCommands', labels: ['type', 'outcome'] },
  projections_events_total: { metric: 'EventsProjected', labels: [] },
  projections_dead_letters_total: { metric: 'DeadLetters', labels: ['cause'] },
  ingest_inbound_records_total: { metric: 'InboundRecords', labels: ['outcome'] },
};

export interface CounterSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** Label sets → running totals, keyed `metric|dim=value|…`. */
export type EmfTotals = Map<string, number>;

function dimensionsOf(
  spec: { labels: readonly string[] },
  labels: CounterSample['labels'],
): [string, string][] {
  return spec.labels.map((l) => [
    l,
    l === 'statusClass' ? `${String(labels.status ?? '').slice(0, 1)}xx` : String(labels[l] ?? 'none'),
  ]);
}

/**
 * EMF lines for what changed since `previous` (which it updates). Pure: the caller passes the
 * samples, the service name and the time.
 */
export function emfLines(
  samples: readonly CounterSample[],
  previous: EmfTotals,
  service: string,
  prefix: string,
  nowMs: number,
): string[] {
  const totals = new Map<string, { metric: string; dims: [string, string][]; value: number }>();
  for (const s of samples) {
    const spec = EMF_COUNTERS[s.name.startsWith(prefix) ? s.name.slice(prefix.length) : s.name];
    if (!spec) continue;
    const dims = dimensionsOf(spec, s.labels);
    const key = [spec.metric, ...dims.map(([k, v]) => `${k}=${v}`)].join('|');
    const t = totals.get(key) ?? { metric: spec.metric, dims, value: 0 };
    t.value += s.value;
    totals.set(key, t);
  }
  const lines: string[] = [];
  for (const [key, t] of totals) {
    const delta = t.value - (previous.get(key) ?? 0);
    previous.set(key, t.value);
    if (delta <= 0) continue;
    lines.push(
      JSON.stringify({
        _aws: {
          Timestamp: nowMs,
          CloudWatchMetrics: [
            {
              Namespace: EMF_NAMESPACE,
              Dimensions: [['service', ...t.dims.map(([k]) => k)]],
              Metrics: [{ Name: t.metric, Unit: 'Count' }],
            },
          ],
        },
        service,
        ...Object.fromEntries(t.dims),
        [t.metric]: delta,
      }),
    );
  }
  return lines;
}

/** Writes EMF lines every `intervalMs` until stopped (the last interval is flushed on stop). */
export function startEmf(
  metrics: Metrics,
  o: { service: string; intervalMs: number; write?: (line: string) => void; prefix?: string },
): { stop(): Promise<void> } {
  const write = o.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const previous: EmfTotals = new Map();
  const flush = async () => {
    const json = await metrics.registry.getMetricsAsJSON();
    const samples: CounterSample[] = json
      .filter((m) => String(m.type) === 'counter')
      .flatMap((m) =>
        m.values.map((v) => ({
          name: m.name,
          labels: v.labels as Record<string, string | number>,
          value: v.value,
        })),
      );
    for (const line of emfLines(samples, previous, o.service, o.prefix ?? 'paystream_', Date.now()))
      write(line);
  };
  const timer = setInterval(() => void flush().catch(() => undefined), o.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await flush().catch(() => undefined);
    },
  };
}
