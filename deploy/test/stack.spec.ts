// `cdk synth` of the stack (Template.fromStack) and assertions on every resource the issue asks
// for: MSK with IAM auth and the topics, the read-model tables exactly as DynamoDbReadStore
// creates them, KMS rotation, the S3 bucket's protections, Fargate services and the ALB,
// least-privilege IAM, Secrets Manager, and the alarms.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Relative imports of the two definition files only (no adapters, no I/O).
import { topicSpecs } from '../../packages/eventing/src/topics.js';
import { defineTable } from '../../packages/readstore/src/port.js';
import { API_SERVICE } from '../../packages/runtime/src/service.js';
import { DASHBOARD_NAMES } from '../src/dashboards.js';
import { ACCESS } from '../src/services.js';
import { CONSUMERS, SERVICES } from '../src/settings.js';
import { PaystreamStack } from '../src/stack.js';
import { SERVICE_TABLES, TABLES } from '../src/tables.js';
import { topicDefs } from '../src/topics.js';
import { configVariables, KAFKA_MODE_REQUIRED } from './helpers.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
}

const ENV = { account: '123456789012', region: 'us-east-1' };

const outdirs: string[] = [];

/** Synthesizes into a temporary cloud assembly that afterAll removes. */
function synth(context: Record<string, unknown> = {}): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'paystream-cdk-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: [
        'us-east-1a',
        'us-east-1b',
        'us-east-1c',
      ],
      // A pushed image keeps the synth from staging the repository as a Docker asset; the
      // default (build from the Dockerfile) has its own test below.
      'paystream:image': '123456789012.dkr.ecr.us-east-1.amazonaws.com/paystream:test',
      'paystream:certificateArn': 'arn:aws:acm:us-east-1:123456789012:certificate/test',
      ...context,
    },
  });
  return Template.fromStack(new PaystreamStack(app, 'Paystream', { env: ENV }));
}

function resources(t: Template, type: string): Resource[] {
  return Object.values(t.findResources(type)) as Resource[];
}

/** The one container of a task definition. */
function container(td: Resource | undefined): Json {
  const c = (td?.Properties.ContainerDefinitions as Json[] | undefined)?.[0];
  if (!c) throw new Error('task definition without a container');
  return c;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}

/** Every identity-policy statement in the template, with the roles it is attached to. */
function identityStatements(t: Template): { roles: string[]; statement: Statement }[] {
  const out: { roles: string[]; statement: Statement }[] = [];
  for (const p of resources(t, 'AWS::IAM::Policy')) {
    const roles = asArray(p.Properties.Roles as Json[]).map((r) => String(r.Ref));
    for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      out.push({ roles, statement: s });
  }
  for (const r of resources(t, 'AWS::IAM::Role')) {
    for (const p of asArray(r.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]))
      for (const s of p.PolicyDocument.Statement) out.push({ roles: ['inline'], statement: s });
  }
  return out;
}

/** The logical id of each service's task role, by service name. */
function taskRoles(t: Template): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, td] of Object.entries(t.findResources('AWS::ECS::TaskDefinition'))) {
    const c = ((td as Resource).Properties.ContainerDefinitions as Json[])[0]!;
    const command = c.Command as string[];
    out.set(
      command[1]!,
      String(((td as Resource).Properties.TaskRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]),
    );
    expect(id).toBeTruthy();
  }
  return out;
}

let template: Template;
let serverless: Template;
beforeAll(() => {
  template = synth();
  serverless = synth({ 'paystream:mskMode': 'serverless' });
}, 120_000);
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('MSK', () => {
  it('is a provisioned 3.9 cluster with IAM auth only and TLS everywhere', () => {
    template.resourceCountIs('AWS::MSK::Cluster', 1);
    template.hasResourceProperties('AWS::MSK::Cluster', {
      KafkaVersion: '3.9.x',
      NumberOfBrokerNodes: 3,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
    });
    const [config] = resources(template, 'AWS::MSK::Configuration');
    const props = String(config?.Properties.ServerProperties);
    for (const line of [
      'auto.create.topics.enable=false',
      'min.insync.replicas=2',
      'log.retention.ms=-1',
      'unclean.leader.election.enable=false',
    ])
      expect(props.split('\n')).toContain(line);
  });

  it('creates the topics the services ask for, with the same partition counts', () => {
    const fromCode = topicSpecs().map((s) => ({ name: s.name, partitions: s.partitions }));
    expect(topicDefs()).toEqual(fromCode);
    const topics = resources(template, 'AWS::MSK::Topic').map((r) => ({
      name: r.Properties.TopicName,
      partitions: r.Properties.PartitionCount,
      rf: r.Properties.ReplicationFactor,
    }));
    expect(topics.map(({ name, partitions }) => ({ name, partitions }))).toEqual(fromCode);
    expect(topics.every((t) => t.rf === 3)).toBe(true);
    expect(topics.find((t) => t.name === 'paystream.events')?.partitions).toBe(12);
  });

  it('hands the services the SASL/IAM bootstrap string', () => {
    const [lookup] = resources(template, 'Custom::AWS');
    const call = JSON.stringify(lookup?.Properties.Create);
    expect(call).toContain('\\"service\\":\\"Kafka\\",\\"action\\":\\"GetBootstrapBrokers\\"');
    expect(call).toContain('BootstrapBrokerStringSaslIam');
    // Every service's KAFKA_BROKERS is that answer.
    for (const td of resources(template, 'AWS::ECS::TaskDefinition')) {
      const c = container(td);
      const brokers = (c.Environment as { Name: string; Value: unknown }[]).find(
        (e) => e.Name === 'KAFKA_BROKERS',
      );
      expect(JSON.stringify(brokers?.Value)).toContain('BootstrapBrokerStringSaslIam');
      const auth = (c.Environment as { Name: string; Value: unknown }[]).find((e) => e.Name === 'KAFKA_AUTH');
      expect(auth?.Value).toBe('aws-msk-iam');
    }
  });

  it('can be MSK Serverless instead (IAM auth; topics created by the services)', () => {
    serverless.resourceCountIs('AWS::MSK::Cluster', 0);
    serverless.resourceCountIs('AWS::MSK::Topic', 0);
    serverless.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });
});

describe('DynamoDB', () => {
  it('has one table per read model, named with the prefix, on-demand, encrypted, with PITR', () => {
    const tables = resources(template, 'AWS::DynamoDB::Table');
    expect(tables.map((t) => t.Properties.TableName).sort()).toEqual(
      TABLES.map((d) => `paystream_${d.name}`).sort(),
    );
    // Exactly the tables the services create at start, from their own definitions.
    expect(TABLES.map((d) => d.name).sort()).toEqual(SERVICE_TABLES.map((d) => d.name).sort());
    expect(new Set(TABLES.map((d) => d.name)).size).toBe(TABLES.length);
    for (const name of [
      'payments',
      'provider_balances',
      'ledger_accounts',
      'tenants',
      'api_keys',
      'ingest_idempotency',
    ])
      expect(TABLES.map((d) => d.name)).toContain(name);
    for (const t of tables) {
      expect(t.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      // SSEEnabled without a key id: the AWS managed key aws/dynamodb.
      expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true });
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('defines each table exactly as DynamoDbReadStore creates and checks it', () => {
    const keySchema = (pk: { name: string }, sk?: { name: string }) => [
      { AttributeName: pk.name, KeyType: 'HASH' },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
    ];
    const byName = new Map(
      resources(template, 'AWS::DynamoDB::Table').map((t) => [t.Properties.TableName, t]),
    );
    for (const input of TABLES) {
      // The read store's own validation (names, one type per attribute) accepts the definition.
      const def = defineTable({
        name: input.name,
        key: input.key.sk ? { pk: input.key.pk, sk: input.key.sk } : { pk: input.key.pk },
        indexes: input.indexes.map((i) =>
          i.sk ? { name: i.name, pk: i.pk, sk: i.sk } : { name: i.name, pk: i.pk },
        ),
      });
      const t = byName.get(`paystream_${def.name}`);
      expect(t, def.name).toBeDefined();
      expect(t?.Properties.KeySchema).toEqual(keySchema(def.pk, def.sk));
      const attrs = new Map<string, string>();
      for (const a of [def.pk, def.sk, ...def.indexes.flatMap((i) => [i.pk, i.sk])])
        if (a) attrs.set(a.name, a.type === 'string' ? 'S' : 'N');
      const declared =
        (t?.Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]) ?? [];
      expect(new Map(declared.map((a) => [a.AttributeName, a.AttributeType]))).toEqual(attrs);
      const gsis = asArray(t?.Properties.GlobalSecondaryIndexes as Json[]);
      expect(gsis).toHaveLength(def.indexes.length);
      for (const ix of def.indexes) {
        expect(gsis).toContainEqual({
          IndexName: ix.name,
          KeySchema: keySchema(ix.pk, ix.sk),
          Projection: { ProjectionType: 'ALL' },
        });
      }
    }
  });
});

describe('KMS, S3 and Secrets Manager', () => {
  it('rotates both keys and aliases the card-data key', () => {
    const keys = resources(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      expect(k.Properties.EnableKeyRotation).toBe(true);
      expect(k.Properties.PendingWindowInDays).toBe(30);
    }
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/paystream-card-data' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('keeps NACHA files and exports in a versioned, KMS-encrypted, private, TLS-only bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('generates the bootstrap API key in Secrets Manager in the form config.ts accepts', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
  });
});

describe('ECS Fargate and the load balancer', () => {
  it('runs one service per Paystream service with `run <service>` and only config.ts variables', () => {
    const known = configVariables();
    const tds = resources(template, 'AWS::ECS::TaskDefinition');
    expect(tds).toHaveLength(SERVICES.length);
    const commands: string[] = [];
    for (const td of tds) {
      expect(td.Properties.RequiresCompatibilities).toEqual(['FARGATE']);
      const c = container(td);
      const command = c.Command as string[];
      expect(command[0]).toBe('run');
      commands.push(command[1]!);
      const env = (c.Environment as { Name: string }[]).map((e) => e.Name);
      const secrets = asArray(c.Secrets as { Name: string }[]).map((s) => s.Name);
      expect([...env, ...secrets].filter((n) => !known.has(n))).toEqual([]);
      for (const r of KAFKA_MODE_REQUIRED) expect(env).toContain(r);
      expect(secrets).toEqual(command[1] === 'ingest' ? ['PAYSTREAM_API_KEY'] : []);
      expect(JSON.stringify(c.HealthCheck)).toContain('/health');
      expect(c.LinuxParameters).toMatchObject({ InitProcessEnabled: true });
    }
    expect(commands.sort()).toEqual([...SERVICES].sort());
    template.resourceCountIs('AWS::ECS::Service', SERVICES.length);
    template.allResourcesProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('puts the API process (ingest: every public route), and only it, behind an internet-facing ALB that checks /health', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      HealthCheckPath: '/health',
      TargetType: 'ip',
    });
    const withLb = resources(template, 'AWS::ECS::Service').filter((s) => s.Properties.LoadBalancers);
    expect(withLb.map((s) => s.Properties.ServiceName)).toEqual([`paystream-${API_SERVICE}`]);
    // It mounts the ACH routes too: NACHA downloads decrypt files, return files are stored.
    expect(ACCESS[API_SERVICE]).toMatchObject({ decrypt: true, objects: true });
    // One path rule only, the 404 for /metrics and /docs: no route goes to another service, the
    // webhook endpoints API is mounted by the API process too.
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  });

  it('gives webhook events an SNS topic encrypted with the KMS key, which only webhooks may publish to', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2); // alarms and webhook events
    const topics = resources(template, 'AWS::SNS::Topic').filter((t) => t.Properties.KmsMasterKeyId);
    expect(topics).toHaveLength(1);
    const publishers = identityStatements(template).filter(({ statement }) =>
      asArray(statement.Action).includes('sns:Publish'),
    );
    const roles = taskRoles(template);
    expect(publishers.flatMap((p) => p.roles)).toEqual([roles.get('webhooks')]);
    const td = resources(template, 'AWS::ECS::TaskDefinition').find(
      (t) => (container(t).Command as string[])[1] === 'webhooks',
    )!;
    const env = (container(td).Environment as { Name: string }[]).map((e) => e.Name);
    expect(env).toContain('WEBHOOKS_SNS_TOPIC_ARN');
    expect(env).not.toContain('PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE');
  });

  it('refuses plain HTTP on the internet-facing listener unless told allowInsecureHttp', () => {
    expect(() => synth({ 'paystream:certificateArn': '' })).toThrow(/allowInsecureHttp=true/);
    const insecure = synth({ 'paystream:certificateArn': '', 'paystream:allowInsecureHttp': 'true' });
    insecure.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
  });

  it('keeps /metrics and /docs off the public listener; metrics on a private METRICS_PORT', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 1,
      Conditions: Match.arrayWith([
        Match.objectLike({
          Field: 'path-pattern',
          PathPatternConfig: { Values: ['/metrics', '/metrics/*', '/docs', '/docs/*'] },
        }),
      ]),
      Actions: [
        Match.objectLike({
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({ StatusCode: '404' }),
        }),
      ],
    });
    for (const td of resources(template, 'AWS::ECS::TaskDefinition')) {
      const env = container(td).Environment as { Name: string; Value: string }[];
      expect(env).toContainEqual({ Name: 'METRICS_PORT', Value: '9100' });
      // Only the API port is mapped (and registered with the load balancer).
      expect((container(td).PortMappings as { ContainerPort: number }[]).map((p) => p.ContainerPort)).toEqual(
        [8080],
      );
    }
  });

  it('builds the image from the repository Dockerfile when no image is given', () => {
    const t = synth({ 'paystream:image': '' });
    const [td] = resources(t, 'AWS::ECS::TaskDefinition');
    const image = JSON.stringify(container(td).Image);
    expect(image).toContain('cdk-hnb659fds-container-assets');
  }, 60_000);
});

describe('IAM', () => {
  it('never grants a wildcard action, or a wildcard resource for KMS or DynamoDB', () => {
    const statements = identityStatements(template);
    expect(statements.length).toBeGreaterThan(10);
    for (const { statement: s } of statements) {
      if (s.Effect !== 'Allow') continue;
      const actions = asArray(s.Action);
      const where = `${s.Sid ?? ''} ${JSON.stringify(s.Action)}`;
      expect(
        actions.filter((a) => a === '*' || a.endsWith(':*')),
        where,
      ).toEqual([]);
      if (actions.some((a) => /^(kms|dynamodb):/.test(a))) {
        expect(
          actions.filter((a) => a.includes('*')),
          where,
        ).toEqual([]);
        expect(asArray(s.Resource), where).not.toContain('*');
      }
    }
    for (const r of resources(template, 'AWS::IAM::Role'))
      expect(JSON.stringify(r.Properties.ManagedPolicyArns ?? [])).not.toMatch(
        /FullAccess|AdministratorAccess|PowerUser/,
      );
  });

  it('gives each service only the key operations it needs, and only projections DeleteTable', () => {
    const roles = taskRoles(template);
    const statements = identityStatements(template);
    const actionsOf = (service: string) =>
      statements
        .filter(({ roles: r }) => r.includes(roles.get(service)!))
        .flatMap(({ statement }) => asArray(statement.Action));
    const kmsOf = (service: string) =>
      statements
        .filter(
          ({ roles: r, statement }) => r.includes(roles.get(service)!) && statement.Sid === 'CardDataKey',
        )
        .flatMap(({ statement }) => asArray(statement.Action))
        .sort();
    expect(kmsOf('ingest')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kmsOf('fraud')).toEqual([]);
    expect(kmsOf('escrow')).toEqual(['kms:Decrypt']);
    for (const s of SERVICES) {
      expect(actionsOf(s)).toContain('kafka-cluster:Connect');
      expect(actionsOf(s)).toContain('dynamodb:GetItem');
      expect(actionsOf(s).includes('dynamodb:DeleteTable'), s).toBe(s === 'projections');
    }
    expect(actionsOf('fraud').some((a) => a.startsWith('s3:'))).toBe(false);
  });
});

describe('CloudWatch alarms', () => {
  it('alarms on the ingest 5xx rate and p99 latency', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'paystream-ingest-5xx-rate',
      Threshold: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }) }),
        }),
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count' }),
          }),
        }),
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'HTTPCode_ELB_5XX_Count' }),
          }),
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'paystream-ingest-latency-p99',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Threshold: 0.5,
    });
  });

  it('alarms on MaxOffsetLag and SumOffsetLag of every consumer group', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    for (const consumer of CONSUMERS) {
      for (const metric of ['MaxOffsetLag', 'SumOffsetLag']) {
        const a = alarms.find((x) => x.Properties.AlarmName === `paystream-${consumer}-${metric}`);
        expect(a, `${consumer} ${metric}`).toBeDefined();
        const expr = JSON.stringify(a?.Properties.Metrics);
        expect(expr).toContain(`MAX(${metric})`);
        expect(expr).toContain(`paystream-${consumer}`);
        expect(expr).toContain('AWS/Kafka');
      }
    }
    for (const a of alarms) expect(asArray(a.Properties.AlarmActions as unknown[]).length).toBe(1);
  });
});

describe('CloudWatch dashboards', () => {
  /** The dashboard body as its JSON text, CloudFormation intrinsics (refs, ARNs) left inline. */
  function body(name: string): string {
    const d = resources(template, 'AWS::CloudWatch::Dashboard').find(
      (x) => x.Properties.DashboardName === name,
    );
    expect(d, name).toBeDefined();
    const join = (d!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
  }

  it('has the performance, cost and infrastructure views', () => {
    const names = resources(template, 'AWS::CloudWatch::Dashboard').map((d) => d.Properties.DashboardName);
    expect(names.sort()).toEqual(Object.values(DASHBOARD_NAMES).sort());
  });

  it('shows ingest requests, latency percentiles and the ingest alarms on performance', () => {
    const b = body(DASHBOARD_NAMES.performance);
    for (const s of [
      'RequestCount',
      'TargetResponseTime',
      '"stat":"p50"',
      '"stat":"p95"',
      '"stat":"p99"',
      'HTTPCode_Target_5XX_Count',
      'FraudDecisions',
      'EscrowCommands',
      'HttpResponses',
    ]) {
      expect(b).toContain(s);
    }
    expect(b).toContain('alarm');
  });

  it('sets every service to emit its counters as CloudWatch metrics (EMF)', () => {
    const defs = resources(template, 'AWS::ECS::TaskDefinition');
    expect(defs.length).toBeGreaterThan(0);
    for (const d of defs) {
      const env = JSON.stringify((d.Properties.ContainerDefinitions as Json[])[0]?.Environment);
      expect(env).toContain('{"Name":"PAYSTREAM_METRICS_EMF","Value":"60"}');
    }
  });

  it('shows the cost drivers and points to the per-payment saving on cost', () => {
    const b = body(DASHBOARD_NAMES.cost);
    for (const s of [
      'ConsumedWriteCapacityUnits',
      'ConsumedReadCapacityUnits',
      'AWS/Usage',
      'BytesInPerSec',
      'CPUUtilization',
      'ConsumedLCUs',
      '/v1/analytics/costs',
    ]) {
      expect(b).toContain(s);
    }
  });

  it('shows lag of every consumer group, health and every alarm on infrastructure', () => {
    const b = body(DASHBOARD_NAMES.infrastructure);
    for (const c of CONSUMERS) expect(b).toContain(`paystream-${c}`);
    for (const s of [
      'MaxOffsetLag',
      'HealthyHostCount',
      'MemoryUtilization',
      'ThrottledRequests',
      'CpuUser',
      'DeadLetters',
      'EventsProjected',
      'InboundRecords',
    ]) {
      expect(b).toContain(s);
    }
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    const logicalIds = Object.entries(template.toJSON().Resources as Record<string, Resource>)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id]) => id);
    expect(logicalIds).toHaveLength(alarms.length);
    for (const id of logicalIds) expect(b).toContain(id);
  });
});
