// Amazon MSK with IAM authentication (SASL/IAM over TLS, port 9098): provisioned brokers with
// CloudFormation-managed topics, or MSK Serverless (whose topics the services create at start
// through createTopics, since AWS::MSK::Topic only supports provisioned clusters).

import { Aws, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Settings } from './settings.js';
import { topicDefs } from './topics.js';

/** The SASL/IAM listener of MSK (provisioned and serverless). */
export const KAFKA_IAM_PORT = 9098;
/** The transactional-id prefix of KafkaEventLog (packages/log/src/kafka/kafka-options.ts). */
export const TRANSACTIONAL_ID_PREFIX = 'paystream/';

export interface KafkaProps {
  readonly vpc: ec2.IVpc;
  readonly settings: Settings;
  readonly clusterName: string;
}

export class PaystreamKafka extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** `host:9098,host:9098,…`, the value of KAFKA_BROKERS. */
  readonly bootstrapBrokers: string;
  readonly securityGroup: ec2.SecurityGroup;
  readonly replicationFactor: number;

  constructor(scope: Construct, id: string, props: KafkaProps) {
    super(scope, id);
    const { vpc, settings } = props;
    this.clusterName = props.clusterName;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'MSK: SASL/IAM over TLS from the Paystream tasks only',
      allowAllOutbound: false,
    });
    const subnetIds = vpc.privateSubnets.map((s) => s.subnetId);

    if (settings.mskMode === 'serverless') {
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [this.securityGroup.securityGroupId] }],
      });
      this.clusterArn = cluster.attrArn;
      // MSK Serverless replicates every partition three times itself.
      this.replicationFactor = 3;
    } else {
      const brokers = subnetIds.length * settings.brokersPerAz;
      // Three copies and two in sync when there are three brokers or more: an acknowledged
      // append survives the loss of any one broker.
      this.replicationFactor = Math.min(3, brokers);
      const minInsync = this.replicationFactor >= 3 ? 2 : 1;
      const configuration = new msk.CfnConfiguration(this, 'Configuration', {
        name: `${this.clusterName}-config`,
        description: 'Paystream: explicit topics, no data loss on leader change, keep the log',
        kafkaVersionsList: [settings.kafkaVersion],
        serverProperties: [
          'auto.create.topics.enable=false',
          `default.replication.factor=${this.replicationFactor}`,
          `min.insync.replicas=${minInsync}`,
          `offsets.topic.replication.factor=${this.replicationFactor}`,
          `transaction.state.log.replication.factor=${this.replicationFactor}`,
          `transaction.state.log.min.isr=${minInsync}`,
          'unclean.leader.election.enable=false',
          // The log is the system of record and replay starts at offset zero.
          'log.retention.ms=-1',
        ].join('\n'),
      });
      const cluster = new msk.CfnCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        kafkaVersion: settings.kafkaVersion,
        numberOfBrokerNodes: brokers,
        brokerNodeGroupInfo: {
          instanceType: settings.brokerInstanceType,
          clientSubnets: subnetIds,
          securityGroups: [this.securityGroup.securityGroupId],
          storageInfo: { ebsStorageInfo: { volumeSize: settings.brokerVolumeGb } },
        },
        clientAuthentication: {
          sasl: { iam: { enabled: true } },
          unauthenticated: { enabled: false },
        },
        encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
        configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
        // DEFAULT monitoring already carries the consumer-lag metrics the alarms use.
        enhancedMonitoring: 'DEFAULT',
      });
      this.clusterArn = cluster.attrArn;
      for (const t of topicDefs(settings.partitions)) {
        new msk.CfnTopic(this, `Topic-${t.name}`, {
          clusterArn: cluster.attrArn,
          topicName: t.name,
          partitionCount: t.partitions,
          replicationFactor: this.replicationFactor,
        });
      }
    }

    // CloudFormation returns no bootstrap string for MSK; ask the API once per cluster.
    const lookup = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'GetBootstrapBrokers',
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(this.clusterArn),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
      installLatestAwsSdk: false,
    });
    this.bootstrapBrokers = lookup.getResponseField('BootstrapBrokerStringSaslIam');
  }

  /** `arn:…:kafka:region:account:<type>/<clusterName>/<clusterUuid>` for topic/group ARNs. */
  #resourceArn(type: 'topic' | 'group' | 'transactional-id'): string {
    const parts = Fn.split('/', this.clusterArn);
    return `arn:${Aws.PARTITION}:kafka:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}/${Fn.select(1, parts)}/${Fn.select(2, parts)}`;
  }

  /**
   * What a Paystream service needs on the cluster: connect, idempotent and transactional
   * produce, read, and its consumer groups — on paystream.* topics, paystream* groups and the
   * paystream/ transactional ids only.
   */
  grantClient(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaCluster',
        actions: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeCluster',
          'kafka-cluster:WriteDataIdempotently',
        ],
        resources: [this.clusterArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaTopics',
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:ReadData',
          'kafka-cluster:WriteData',
        ],
        resources: [`${this.#resourceArn('topic')}/paystream.*`],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaGroups',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [`${this.#resourceArn('group')}/paystream*`],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KafkaTransactions',
        actions: ['kafka-cluster:DescribeTransactionalId', 'kafka-cluster:AlterTransactionalId'],
        resources: [`${this.#resourceArn('transactional-id')}/${TRANSACTIONAL_ID_PREFIX}*`],
      }),
    );
  }
}
