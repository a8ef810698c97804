// `npm run bench:kafka [-- <paystream bench options>]`: the whole Kafka-mode bench in one
// command. Starts Kafka, DynamoDB Local and moto on loopback with the testkit (or reuses the
// endpoints in PAYSTREAM_TEST_KAFKA_BROKERS / _DYNAMODB_ENDPOINT / _AWS_ENDPOINT, e.g. from
// `npm run servers`), creates a KMS key, names a fresh bucket and table prefix, runs
// `paystream bench --engine kafka <options>` (so `-- --json` prints the report alone on
// stdout), then stops what it started. Exit status: the bench's. Node options for the bench
// process (a profile: `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses) go in
// PAYSTREAM_BENCH_NODE_ARGS.
//
// Kafka's topic names are fixed (paystream.*): on servers shared with another Paystream, the
// two would share consumer groups. Reuse only servers nothing else runs Paystream against.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKmsKey } from '@paystream/keys';
import { ENV, startTestServers } from '@paystream/testkit';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'paystream.js');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // The testkit reports started servers with console.log: keep stdout for the report alone.
  console.log = (...a: unknown[]) => console.error(...a);
  const servers = await startTestServers();
  try {
    const env = servers.env;
    const run = `${Date.now().toString(36).slice(-6)}${randomBytes(2).toString('hex')}`;
    const kmsKeyId = await createKmsKey(
      { region: REGION, endpoint: env[ENV.aws]!, credentials: CREDENTIALS },
      `paystream bench ${run}`,
    );
    const childEnv = {
      ...process.env,
      KAFKA_BROKERS: env[ENV.kafka]!,
      DYNAMODB_ENDPOINT: env[ENV.dynamodb]!,
      AWS_ENDPOINT_URL: env[ENV.aws]!,
      AWS_REGION: REGION,
      // Local servers take any credentials; the SDK's default chain reads these.
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      KMS_KEY_ID: kmsKeyId,
      S3_BUCKET: `paystream-bench-${run}`,
      PAYSTREAM_TABLE_PREFIX: `bench${run}_`,
    };
    process.stderr.write(`bench:kafka: table prefix bench${run}_, bucket paystream-bench-${run}\n`);
    const nodeArgs = (process.env.PAYSTREAM_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, bin, 'bench', '--engine', 'kafka', ...args], {
      env: childEnv,
      stdio: 'inherit',
    });
    return await new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await servers.stop();
  }
}

process.exitCode = await main();
