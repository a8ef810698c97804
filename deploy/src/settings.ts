// Deployment settings, read from CDK context (`cdk deploy -c paystream:mskMode=serverless`, or
// the "context" block of deploy/cdk.json). Every value is validated here, once, with a message
// that names the key, so a typo fails the synth instead of producing a broken stack.

import type { Node } from 'constructs';

export const SERVICES = ['ingest', 'fraud', 'escrow', 'ach-batcher', 'projections', 'webhooks'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const CONSUMERS = [
  'fraud',
  'escrow',
  'ach-batcher',
  'projections',
  'webhooks',
] as const satisfies readonly ServiceName[];
export type ConsumerName = (typeof CONSUMERS)[number];

export type MskMode = 'provisioned' | 'serverless';

export interface Settings {
  /** `provisioned` (brokers you size, topics created by CloudFormation) or `serverless`. */
  readonly mskMode: MskMode;
  readonly kafkaVersion: string;
  readonly brokerInstanceType: string;
  /** Brokers per availability zone (provisioned); the total is this times the AZ count. */
  readonly brokersPerAz: number;
  readonly brokerVolumeGb: number;
  readonly partitions: number;
  readonly tablePrefix: string;
  /** A pushed image (e.g. an ECR URI with a digest). Unset: build the repo's Dockerfile. */
  readonly image: string | undefined;
  readonly maxAzs: number;
  readonly natGateways: number;
  readonly ingestDesiredCount: number;
  readonly consumerDesiredCount: number;
  readonly taskCpu: number;
  readonly taskMemoryMiB: number;
  readonly logLevel: string;
  /** A Confluent-compatible registry reachable from the VPC; unset = embedded registry. */
  readonly schemaRegistryUrl: string | undefined;
  /** ACM certificate for HTTPS on the load balancer; unset = plain HTTP on port 80. */
  readonly certificateArn: string | undefined;
  readonly alarmEmail: string | undefined;
  readonly errorRatePercentThreshold: number;
  readonly latencyP99ThresholdMs: number;
  readonly consumerLagThreshold: number;
  /** Kafka consumer group of each consumer service (the lag alarms watch these). */
  readonly consumerGroups: Readonly<Record<ConsumerName, string>>;
}

export const DEFAULTS: Settings = {
  mskMode: 'provisioned',
  kafkaVersion: '3.9.x',
  brokerInstanceType: 'kafka.m7g.large',
  brokersPerAz: 1,
  brokerVolumeGb: 100,
  partitions: 12,
  tablePrefix: 'paystream_',
  image: undefined,
  maxAzs: 3,
  natGateways: 1,
  ingestDesiredCount: 2,
  consumerDesiredCount: 1,
  taskCpu: 512,
  taskMemoryMiB: 1024,
  logLevel: 'info',
  schemaRegistryUrl: undefined,
  certificateArn: undefined,
  alarmEmail: undefined,
  errorRatePercentThreshold: 1,
  latencyP99ThresholdMs: 500,
  consumerLagThreshold: 10_000,
  consumerGroups: {
    fraud: 'paystream-fraud',
    escrow: 'paystream-escrow',
    'ach-batcher': 'paystream-ach-batcher',
    projections: 'paystream-projections',
    webhooks: 'paystream-webhooks',
  },
};

const PREFIX = 'paystream:';

function fail(key: string, message: string): never {
  throw new Error(`context ${PREFIX}${key}: ${message}`);
}

function read(node: Node, key: string): unknown {
  return node.tryGetContext(PREFIX + key);
}

function str(node: Node, key: string, fallback: string, pattern?: RegExp): string {
  const v = read(node, key);
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v.length === 0) fail(key, 'must be a non-empty string');
  if (pattern && !pattern.test(v)) fail(key, `must match ${pattern}`);
  return v;
}

function optStr(node: Node, key: string, pattern?: RegExp): string | undefined {
  const v = read(node, key);
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') fail(key, 'must be a string');
  if (pattern && !pattern.test(v)) fail(key, `must match ${pattern}`);
  return v;
}

function int(node: Node, key: string, fallback: number, min: number, max: number): number {
  const v = read(node, key);
  if (v === undefined) return fallback;
  // `-c key=3` arrives as a string; cdk.json values arrive as numbers.
  const num = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof num !== 'number' || !Number.isInteger(num) || num < min || num > max)
    fail(key, `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return num;
}

export function loadSettings(node: Node): Settings {
  const mskMode = str(node, 'mskMode', DEFAULTS.mskMode, /^(provisioned|serverless)$/) as MskMode;
  const groups = read(node, 'consumerGroups');
  let consumerGroups = DEFAULTS.consumerGroups;
  if (groups !== undefined) {
    if (typeof groups !== 'object' || groups === null) fail('consumerGroups', 'must be an object');
    const g = groups as Record<string, unknown>;
    const out = { ...DEFAULTS.consumerGroups };
    for (const c of CONSUMERS) {
      const v = g[c];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !/^paystream[A-Za-z0-9._-]*$/.test(v))
        fail('consumerGroups', `${c} must start with "paystream" (the IAM policy allows paystream* groups)`);
      out[c] = v;
    }
    consumerGroups = out;
  }
  return {
    mskMode,
    kafkaVersion: str(node, 'kafkaVersion', DEFAULTS.kafkaVersion, /^3\.\d+\.x$/),
    brokerInstanceType: str(
      node,
      'brokerInstanceType',
      DEFAULTS.brokerInstanceType,
      /^(kafka|express)\.[a-z0-9]+\.[a-z0-9]+$/,
    ),
    brokersPerAz: int(node, 'brokersPerAz', DEFAULTS.brokersPerAz, 1, 10),
    brokerVolumeGb: int(node, 'brokerVolumeGb', DEFAULTS.brokerVolumeGb, 1, 16_384),
    partitions: int(node, 'partitions', DEFAULTS.partitions, 1, 1_000),
    tablePrefix: str(node, 'tablePrefix', DEFAULTS.tablePrefix, /^[A-Za-z][A-Za-z0-9_]{0,31}$/),
    image: optStr(node, 'image'),
    maxAzs: int(node, 'maxAzs', DEFAULTS.maxAzs, 2, 6),
    natGateways: int(node, 'natGateways', DEFAULTS.natGateways, 1, 6),
    ingestDesiredCount: int(node, 'ingestDesiredCount', DEFAULTS.ingestDesiredCount, 1, 100),
    consumerDesiredCount: int(node, 'consumerDesiredCount', DEFAULTS.consumerDesiredCount, 1, 100),
    taskCpu: int(node, 'taskCpu', DEFAULTS.taskCpu, 256, 16_384),
    taskMemoryMiB: int(node, 'taskMemoryMiB', DEFAULTS.taskMemoryMiB, 512, 122_880),
    logLevel: str(node, 'logLevel', DEFAULTS.logLevel, /^(trace|debug|info|warn|error|fatal|silent)$/),
    schemaRegistryUrl: optStr(node, 'schemaRegistryUrl', /^https?:\/\/\S+$/),
    certificateArn: optStr(node, 'certificateArn', /^arn:aws[a-z-]*:acm:/),
    alarmEmail: optStr(node, 'alarmEmail', /^[^@\s]+@[^@\s]+$/),
    errorRatePercentThreshold: int(
      node,
      'errorRatePercentThreshold',
      DEFAULTS.errorRatePercentThreshold,
      1,
      100,
    ),
    latencyP99ThresholdMs: int(node, 'latencyP99ThresholdMs', DEFAULTS.latencyP99ThresholdMs, 1, 60_000),
    consumerLagThreshold: int(node, 'consumerLagThreshold', DEFAULTS.consumerLagThreshold, 1, 1_000_000_000),
    consumerGroups,
  };
}
