// Smoke test of `npx paystream bench`: the real command in a child process, briefly, embedded.
// stdout must be exactly one JSON object with the contract's fields (ARCHITECTURE.md §5).

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/paystream.js', import.meta.url));

describe('paystream bench --json', () => {
  it('prints one JSON object with endToEndPerSecond, ingestP50Ms, ingestP99Ms and ceilingPerSecond', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    delete env.KAFKA_BROKERS;
    const { stdout } = await run(
      process.execPath,
      [
        BIN,
        'bench',
        '--json',
        '--duration',
        '2',
        '--rate',
        '100',
        '--customers',
        '20',
        '--concurrency',
        '16',
      ],
      { env, timeout: 60_000, maxBuffer: 1 << 20 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown> & {
      fixedRate: { sent: number; unsent: number; accepted: number; targetPerSecond: number };
      maxRate: { accepted: number; decided: number; decisions: Record<string, number> };
    };
    expect(report.engine).toBe('embedded');
    for (const field of [
      'endToEndPerSecond',
      'ingestP50Ms',
      'ingestP95Ms',
      'ingestP99Ms',
      'ceilingPerSecond',
    ]) {
      expect(typeof report[field], field).toBe('number');
      expect(report[field] as number, field).toBeGreaterThan(0);
    }
    expect(report.ingestP99Ms as number).toBeGreaterThanOrEqual(report.ingestP95Ms as number);
    expect(report.ingestP95Ms as number).toBeGreaterThanOrEqual(report.ingestP50Ms as number);
    expect(report.fixedRate.targetPerSecond).toBe(100);
    // 200 were due; what the server could not take within the duration is reported, not sent.
    expect(report.fixedRate.sent + report.fixedRate.unsent).toBe(200);
    expect(report.fixedRate.sent).toBeGreaterThan(0);
    expect(report.fixedRate.accepted).toBe(report.fixedRate.sent);
    expect(report.maxRate.decided).toBe(report.maxRate.accepted);
    // Bench customers are allow-listed: every payment is scored, then takes the full hold path.
    expect(report.maxRate.decisions).toEqual({ held: report.maxRate.decided });
    expect(typeof report.ratioToCeiling).toBe('number');
    // Decided on the events topic and visible in the read models: the same payments.
    for (const field of ['decidedPerSecond', 'mainThreadMsPerPayment']) {
      expect(typeof report[field], field).toBe('number');
      expect(report[field] as number, field).toBeGreaterThan(0);
    }
    expect((report.maxRate as unknown as { visible: number }).visible).toBe(report.maxRate.decided);
    // No DynamoDB or KMS in embedded mode: the Kafka-mode figures are null, not zero.
    for (const field of [
      'dynamoRequestsPerPayment',
      'dynamoItemsWrittenPerPayment',
      'dynamoCeilingItemsPerSecond',
      'kmsRequestsPerPayment',
    ])
      expect(report[field], field).toBeNull();
  }, 90_000);
});
