// The Paystream stack: network, MSK, data (KMS, S3, DynamoDB, Secrets Manager), ECS Fargate
// services, alarms and the three CloudWatch dashboards. Settings come from CDK context (src/settings.ts).

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PaystreamAlarms } from './alarms.js';
import { PaystreamDashboards } from './dashboards.js';
import { PaystreamData } from './data.js';
import { PaystreamKafka } from './kafka.js';
import { PaystreamServices } from './services.js';
import { loadSettings, type Settings } from './settings.js';

export class PaystreamStack extends Stack {
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.settings = loadSettings(this.node);
    const settings = this.settings;

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: settings.maxAzs,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // DynamoDB and S3 traffic stays off the NAT gateway (free gateway endpoints).
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });

    const kafka = new PaystreamKafka(this, 'Kafka', { vpc, settings, clusterName: 'paystream' });
    const data = new PaystreamData(this, 'Data', { settings });
    // Webhook events for operators who fan out inside AWS (SQS, Lambda, EventBridge Pipes),
    // encrypted at rest with the stack's KMS key.
    const webhooksTopic = new sns.Topic(this, 'WebhookEvents', {
      displayName: 'Paystream webhook events',
      masterKey: data.cardDataKey,
    });
    const services = new PaystreamServices(this, 'Services', { vpc, settings, data, kafka, webhooksTopic });
    const alarms = new PaystreamAlarms(this, 'Alarms', {
      settings,
      loadBalancer: services.loadBalancer,
      kafkaClusterName: kafka.clusterName,
    });
    new PaystreamDashboards(this, 'Dashboards', {
      settings,
      loadBalancer: services.loadBalancer,
      ingestTargetGroup: services.ingestTargetGroup,
      services: services.services,
      kafkaClusterName: kafka.clusterName,
      alarms: alarms.alarms,
    });

    new CfnOutput(this, 'IngestUrl', {
      value: `${settings.certificateArn ? 'https' : 'http'}://${services.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'KafkaClusterArn', { value: kafka.clusterArn });
    new CfnOutput(this, 'CardDataKeyArn', { value: data.cardDataKey.keyArn });
    new CfnOutput(this, 'ObjectsBucket', { value: data.bucket.bucketName });
    new CfnOutput(this, 'ApiKeySecretArn', { value: data.apiKeySecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'WebhookEventsTopicArn', { value: webhooksTopic.topicArn });
  }
}
