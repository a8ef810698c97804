import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type EmfTotals, emfLines, startEmf } from './emf.js';
import { createMetrics } from './metrics.js';

describe('CloudWatch EMF lines from the counters', () => {
  it('sends what was counted since the last line, per dimension, and only allow-listed counters', () => {
    const previous: EmfTotals = new Map();
    const first = emfLines(
      [
        { name: 'paystream_fraud_decisions_total', labels: { decision: 'approve' }, value: 5 },
        { name: 'paystream_fraud_decisions_total', labels: { decision: 'review' }, value: 1 },
        {
          name: 'paystream_http_requests_total',
          labels: { route: '/a', method: 'GET', status: '200' },
          value: 3,
        },
        {
          name: 'paystream_http_requests_total',
          labels: { route: '/b', method: 'POST', status: '202' },
          value: 4,
        },
        { name: 'paystream_process_cpu_seconds_total', labels: {}, value: 9 },
      ],
      previous,
      'fraud',
      'paystream_',
      1_000,
    ).map((l) => JSON.parse(l));
    expect(first).toHaveLength(3);
    expect(first[0]).toEqual({
      _aws: {
        Timestamp: 1_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Paystream',
            Dimensions: [['service', 'decision']],
            Metrics: [{ Name: 'FraudDecisions', Unit: 'Count' }],
          },
        ],
      },
      service: 'fraud',
      decision: 'approve',
      FraudDecisions: 5,
    });
    // 200 and 202 are one 2xx line.
    expect(first.find((l) => l.HttpResponses !== undefined)).toMatchObject({
      statusClass: '2xx',
      HttpResponses: 7,
    });

    const second = emfLines(
      [
        { name: 'paystream_fraud_decisions_total', labels: { decision: 'approve' }, value: 8 },
        { name: 'paystream_fraud_decisions_total', labels: { decision: 'review' }, value: 1 },
      ],
      previous,
      'fraud',
      'paystream_',
      2_000,
    ).map((l) => JSON.parse(l));
    expect(second).toHaveLength(1); // nothing new in review: no line
    expect(second[0]).toMatchObject({ decision: 'approve', FraudDecisions: 3 });
  });

  it('flushes on stop through the registry', async () => {
    const metrics = createMetrics();
    metrics
      .counter('projections_dead_letters_total', 'dead letters', ['cause'])
      .inc({ cause: 'undecodable' }, 2);
    const lines: string[] = [];
    const emf = startEmf(metrics, {
      service: 'projections',
      intervalMs: 60_000,
      write: (l) => lines.push(l),
    });
    await emf.stop();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ service: 'projections', cause: 'undecodable', DeadLetters: 2 }),
    ]);
  });

  it('is configured in seconds, off by default, and refuses nonsense', () => {
    expect(loadConfig({}).metricsEmfIntervalS).toBeNull();
    expect(loadConfig({ PAYSTREAM_METRICS_EMF: '60' }).metricsEmfIntervalS).toBe(60);
    expect(loadConfig({ PAYSTREAM_METRICS_EMF: '0' }).metricsEmfIntervalS).toBeNull();
    expect(() => loadConfig({ PAYSTREAM_METRICS_EMF: '5' })).toThrow(/PAYSTREAM_METRICS_EMF/);
    expect(() => loadConfig({ PAYSTREAM_METRICS_EMF: 'often' })).toThrow(/PAYSTREAM_METRICS_EMF/);
  });
});
