// The Paystream services on ECS Fargate: one image (the repo's Dockerfile), one task definition
// and one service per Paystream service, `npx paystream run <service>` in each. Ingest sits
// behind an Application Load Balancer; the consumers scale through Kafka consumer groups.

import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { PaystreamData } from './data.js';
import { KAFKA_IAM_PORT, type PaystreamKafka } from './kafka.js';
import { SERVICES, type ServiceName, type Settings } from './settings.js';

/** The repository root: the Docker build context. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const CONTAINER_PORT = 8080;

/** What each service may do beyond Kafka. Least privilege: nothing not listed here. */
export const ACCESS: Readonly<
  Record<ServiceName, { encrypt: boolean; decrypt: boolean; objects: boolean; dropTables: boolean }>
> = {
  // Tokenizes cards and bank accounts; serves NACHA files and takes return files over HTTP.
  ingest: { encrypt: true, decrypt: true, objects: true, dropTables: false },
  // Scores from features; never sees a card number.
  fraud: { encrypt: false, decrypt: false, objects: false, dropTables: false },
  // Decrypts the card only to send it to the payment network.
  escrow: { encrypt: false, decrypt: true, objects: false, dropTables: false },
  // Writes NACHA files, encrypted with a data key (account numbers are in them).
  'ach-batcher': { encrypt: true, decrypt: true, objects: true, dropTables: false },
  // Read models and audit exports; replay drops and rebuilds its namespaces.
  projections: { encrypt: false, decrypt: true, objects: true, dropTables: true },
  // Seals endpoint signing secrets and opens them to sign deliveries.
  webhooks: { encrypt: true, decrypt: true, objects: false, dropTables: false },
};

const HEALTH_COMMAND = `fetch('http://127.0.0.1:${CONTAINER_PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;

export interface ServicesProps {
  readonly vpc: ec2.IVpc;
  readonly settings: Settings;
  readonly data: PaystreamData;
  readonly kafka: PaystreamKafka;
  /** The webhooks dispatcher also publishes every webhook event here. */
  readonly webhooksTopic: sns.ITopic;
}

export class PaystreamServices extends Construct {
  readonly cluster: ecs.Cluster;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly ingestTargetGroup: elbv2.ApplicationTargetGroup;
  readonly webhooksTargetGroup: elbv2.ApplicationTargetGroup;
  readonly services: ReadonlyMap<ServiceName, ecs.FargateService>;

  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const { vpc, settings, data, kafka, webhooksTopic } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc });

    const image = settings.image
      ? ecs.ContainerImage.fromRegistry(settings.image)
      : ecs.ContainerImage.fromAsset(REPO_ROOT, { file: 'Dockerfile', platform: Platform.LINUX_AMD64 });

    // Exactly the variables packages/runtime/src/config.ts reads (Kafka mode). DYNAMODB_ENDPOINT
    // and AWS_ENDPOINT_URL stay unset: the SDK's regional endpoints. SCHEMA_REGISTRY_URL only
    // when one is configured; otherwise the embedded registry (schemas/avro in the image).
    const environment: Record<string, string> = {
      HOST: '0.0.0.0',
      PORT: String(CONTAINER_PORT),
      PAYSTREAM_DATA: '/data',
      LOG_LEVEL: settings.logLevel,
      // The business counters as CloudWatch metrics (EMF on stdout → awslogs), for the dashboards.
      PAYSTREAM_METRICS_EMF: '60',
      KAFKA_BROKERS: kafka.bootstrapBrokers,
      KAFKA_AUTH: 'aws-msk-iam',
      KMS_KEY_ID: data.cardDataKey.keyArn,
      AWS_REGION: Stack.of(this).region,
      S3_BUCKET: data.bucket.bucketName,
      PAYSTREAM_TABLE_PREFIX: settings.tablePrefix,
      ...(settings.schemaRegistryUrl ? { SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl } : {}),
    };

    const services = new Map<ServiceName, ecs.FargateService>();
    for (const name of SERVICES) {
      const access = ACCESS[name];
      const taskRole = new iam.Role(this, `${name}-TaskRole`, {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: `Paystream ${name}: Kafka, read-model tables and only the keys it needs`,
      });
      kafka.grantClient(taskRole);
      data.grantTables(taskRole, { dropTables: access.dropTables });
      data.grantCardData(taskRole, { encrypt: access.encrypt, decrypt: access.decrypt });
      if (access.objects) data.grantObjects(taskRole);
      if (name === 'webhooks') {
        taskRole.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'WebhooksTopicPublish',
            actions: ['sns:Publish'],
            resources: [webhooksTopic.topicArn],
          }),
        );
      }

      const taskDefinition = new ecs.FargateTaskDefinition(this, `${name}-Task`, {
        cpu: settings.taskCpu,
        memoryLimitMiB: settings.taskMemoryMiB,
        taskRole,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });
      const logGroup = new logs.LogGroup(this, `${name}-Logs`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      taskDefinition.addContainer('app', {
        image,
        command: ['run', name],
        environment:
          name === 'webhooks'
            ? { ...environment, WEBHOOKS_SNS_TOPIC_ARN: webhooksTopic.topicArn }
            : environment,
        ...(name === 'ingest'
          ? { secrets: { PAYSTREAM_API_KEY: ecs.Secret.fromSecretsManager(data.apiKeySecret) } }
          : {}),
        portMappings: [{ containerPort: CONTAINER_PORT, name: 'http' }],
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: name, logGroup }),
        healthCheck: {
          command: ['CMD', 'node', '-e', HEALTH_COMMAND],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.seconds(60),
        },
        // npx is PID 1's child: an init process forwards SIGTERM so consumers commit and leave
        // their group cleanly on deploys.
        linuxParameters: new ecs.LinuxParameters(this, `${name}-Linux`, { initProcessEnabled: true }),
        stopTimeout: Duration.seconds(60),
      });

      const service = new ecs.FargateService(this, `${name}-Service`, {
        cluster: this.cluster,
        serviceName: `paystream-${name}`,
        taskDefinition,
        desiredCount: name === 'ingest' ? settings.ingestDesiredCount : settings.consumerDesiredCount,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        assignPublicIp: false,
        circuitBreaker: { rollback: true },
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
      });
      service.connections.allowTo(kafka.securityGroup, ec2.Port.tcp(KAFKA_IAM_PORT), `${name} to MSK (IAM)`);
      services.set(name, service);
    }
    this.services = services;

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
    });
    const listener = settings.certificateArn
      ? this.loadBalancer.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          certificates: [elbv2.ListenerCertificate.fromArn(settings.certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        })
      : this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP });
    if (settings.certificateArn) this.loadBalancer.addRedirect();
    const ingest = services.get('ingest');
    if (!ingest) throw new Error('ingest service missing');
    this.ingestTargetGroup = listener.addTargets('Ingest', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [ingest],
      healthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    // The webhook endpoints API is served by the webhooks service (it owns those tables).
    const webhooks = services.get('webhooks');
    if (!webhooks) throw new Error('webhooks service missing');
    this.webhooksTargetGroup = listener.addTargets('Webhooks', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [webhooks],
      priority: 10,
      conditions: [
        elbv2.ListenerCondition.pathPatterns(['/v1/webhook-endpoints*', '/v1/webhook-deliveries/*']),
      ],
      healthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
  }
}
