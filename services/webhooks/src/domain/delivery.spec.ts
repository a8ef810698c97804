import { describe, expect, it } from 'vitest';
import { lease, MAX_ATTEMPT_RECORDS, manualRetry, newDelivery, recordAttempt, resultOf } from './delivery.js';
import { MAX_ATTEMPTS } from './schedule.js';

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const fresh = () =>
  newDelivery({
    id: 'whdel_1',
    tenantId: 't',
    endpointId: 'whep_1',
    eventId: 'evt_1',
    eventType: 'payment.held',
    nowMs: T0,
  });

describe('a delivery', () => {
  it('is due at once, in the due index, when created', () => {
    const d = fresh();
    expect(d).toMatchObject({
      status: 'pending',
      nextAttemptAtMs: T0,
      dueEndpoint: 'whep_1',
      attemptCount: 0,
    });
  });

  it('succeeds on a 2xx and leaves the due index', () => {
    const { delivery, disableEndpoint } = recordAttempt(
      lease(fresh(), T0 + 30_000),
      resultOf(204, 12, null),
      T0 + 12,
      0.5,
    );
    expect(delivery.status).toBe('succeeded');
    expect(delivery.dueEndpoint).toBeUndefined();
    expect(delivery.nextAttemptAtMs).toBeUndefined();
    expect(delivery.attempts).toEqual([{ atMs: T0 + 12, statusCode: 204, latencyMs: 12, error: null }]);
    expect(disableEndpoint).toBe(false);
  });

  it('is retried after 500s and timeouts on the schedule, keeping its event id', () => {
    let d = fresh();
    let now = T0;
    d = recordAttempt(d, resultOf(500, 5, null), now, 0.5).delivery;
    expect(d).toMatchObject({
      status: 'pending',
      nextAttemptAtMs: now + 5_000,
      attemptCount: 1,
      eventId: 'evt_1',
    });
    now += 5_000;
    d = recordAttempt(d, resultOf(null, 10_000, 'timeout after 10000 ms'), now, 0.5).delivery;
    expect(d).toMatchObject({ status: 'pending', nextAttemptAtMs: now + 30_000, attemptCount: 2 });
    expect(d.attempts[1]).toMatchObject({ statusCode: null, error: 'timeout after 10000 ms' });
  });

  it('treats redirects and 4xx other than 410 as failures to retry', () => {
    for (const code of [301, 302, 400, 404, 429]) expect(resultOf(code, 1, null).kind).toBe('failure');
  });

  it('asks to disable the endpoint on 410 Gone and is not retried', () => {
    const { delivery, disableEndpoint } = recordAttempt(fresh(), resultOf(410, 3, null), T0, 0.1);
    expect(disableEndpoint).toBe(true);
    expect(delivery.status).toBe('failed');
    expect(delivery.dueEndpoint).toBeUndefined();
  });

  it('gives up after the last scheduled attempt, keeps a bounded history, and can be retried by hand', () => {
    let d = fresh();
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(d.status).toBe('pending');
      d = recordAttempt(d, resultOf(503, 1, null), T0 + i, 0.5).delivery;
    }
    expect(d.status).toBe('failed');
    expect(d.attemptCount).toBe(MAX_ATTEMPTS);
    expect(d.attempts.length).toBeLessThanOrEqual(MAX_ATTEMPT_RECORDS);
    const again = manualRetry(d, T0 + 99);
    expect(again).toMatchObject({ status: 'pending', nextAttemptAtMs: T0 + 99, dueEndpoint: 'whep_1' });
    // One failed manual attempt gives up again (no new schedule).
    expect(recordAttempt(again, resultOf(500, 1, null), T0 + 100, 0.5).delivery.status).toBe('failed');
  });

  it('cannot be leased unless pending', () => {
    const done = recordAttempt(fresh(), resultOf(200, 1, null), T0, 0.5).delivery;
    expect(() => lease(done, T0 + 1)).toThrow(/succeeded/);
  });
});
