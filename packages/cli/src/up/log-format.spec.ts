import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-format.js';
import { backoffDelay } from './supervisor.js';

describe('formatLogLine', () => {
  it('renders a pino line as time, level, message and the other fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 11, 6, 0, 4, 7),
      pid: 1,
      name: 'paystream',
      service: 'ingest',
      url: 'http://127.0.0.1:8080',
      services: ['ingest'],
      msg: 'paystream is running',
    });
    expect(formatLogLine(line, false)).toBe(
      '00:04:07 INFO  paystream is running url=http://127.0.0.1:8080 services=["ingest"]',
    );
  });

  it('colours warnings and errors, and shows an error by type and message', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      err: { type: 'TypeError', message: 'boom', stack: '…' },
      msg: 'failed',
    });
    expect(formatLogLine(line, true)).toBe('00:00:00 \u001b[31mERROR\u001b[0m failed err="TypeError: boom"');
    expect(formatLogLine(line, false)).toBe('00:00:00 ERROR failed err="TypeError: boom"');
  });

  it('passes anything else through unchanged', () => {
    for (const line of [
      'API key for tenant "default": psk_x (saved to /d/api-key)',
      '{not json',
      '{"a":1}',
      '',
    ])
      expect(formatLogLine(line, false)).toBe(line);
  });
});

describe('restart backoff', () => {
  it('doubles from the minimum per crash in a row, up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 1_000, 30_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });
});
