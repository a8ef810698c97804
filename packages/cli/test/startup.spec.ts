// A Kafka-mode start with nothing else configured: one message that names every missing
// variable and the credentials with their fixes, and no AWS SDK Node-version notice.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYSTREAM_BIN } from '../src/up/supervisor.js';

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'paystream-startup-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** An environment with no AWS credentials anywhere the SDK's default chain looks. */
function bareEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(AWS_|KAFKA_|KMS_|S3_|PAYSTREAM_)/.test(k)) env[k] = v;
  return {
    ...env,
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    PAYSTREAM_DATA: join(home, 'data'),
    ...extra,
  };
}

async function start(env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [PAYSTREAM_BIN, 'run', 'ingest'], {
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a Kafka-mode start without its configuration', () => {
  it('names KMS_KEY_ID, S3_BUCKET and the AWS credentials together, each with its fix, and exits 1', async () => {
    const r = await start(bareEnv({ KAFKA_BROKERS: '127.0.0.1:9' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^paystream: Kafka mode \(KAFKA_BROKERS is set\) cannot start:\n/);
    expect(r.stderr).toMatch(
      / {2}- KMS_KEY_ID: is required in Kafka mode .*KMS_KEY_ID=alias\/paystream-card-data/,
    );
    expect(r.stderr).toMatch(/ {2}- S3_BUCKET: is required in Kafka mode .*S3_BUCKET=paystream-local/);
    expect(r.stderr).toMatch(/ {2}- AWS_ACCESS_KEY_ID: no AWS credentials found .*AWS_SECRET_ACCESS_KEY/);
    // The SDK was loaded (it looked for credentials), and its Node 20 notice stayed off.
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(4);
  }, 90_000);

  it('accepts any credentials for local servers: then only the missing variables are named', async () => {
    const r = await start(
      bareEnv({ KAFKA_BROKERS: '127.0.0.1:9', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/KMS_KEY_ID: is required/);
    expect(r.stderr).toMatch(/S3_BUCKET: is required/);
    expect(r.stderr).not.toMatch(/AWS credentials/);
  }, 90_000);
});
