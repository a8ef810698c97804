// CloudWatch alarms: ingest 5xx error rate and p99 latency at the load balancer, and consumer
// lag of every consumer group (MSK MaxOffsetLag / SumOffsetLag, across all its topics).

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { CONSUMERS, type Settings } from './settings.js';

export interface AlarmsProps {
  readonly settings: Settings;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly kafkaClusterName: string;
}

export class PaystreamAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { settings, loadBalancer } = props;
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Paystream alarms', enforceSSL: true });
    if (settings.alarmEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const add = (alarm: cloudwatch.Alarm): void => {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms.push(alarm);
    };

    const period = Duration.minutes(1);
    const errorRate = new cloudwatch.MathExpression({
      label: 'ingest 5xx %',
      expression: 'IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)',
      usingMetrics: {
        requests: loadBalancer.metrics.requestCount({ period, statistic: 'Sum' }),
        target5xx: loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period,
          statistic: 'Sum',
        }),
        elb5xx: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
          period,
          statistic: 'Sum',
        }),
      },
      period,
    });
    add(
      errorRate.createAlarm(this, 'ErrorRate', {
        alarmName: 'paystream-ingest-5xx-rate',
        alarmDescription: `More than ${settings.errorRatePercentThreshold}% of ingest requests answered 5xx in 3 of 5 minutes`,
        threshold: settings.errorRatePercentThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    add(
      loadBalancer.metrics.targetResponseTime({ period, statistic: 'p99' }).createAlarm(this, 'LatencyP99', {
        alarmName: 'paystream-ingest-latency-p99',
        alarmDescription: `ingest p99 response time above ${settings.latencyP99ThresholdMs} ms in 3 of 5 minutes`,
        threshold: settings.latencyP99ThresholdMs / 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // A consumer group reads several topics; a Metrics Insights query aggregates over them, so
    // the alarm does not need to know which topics each service consumes.
    for (const consumer of CONSUMERS) {
      const group = settings.consumerGroups[consumer];
      for (const metric of ['MaxOffsetLag', 'SumOffsetLag'] as const) {
        const query = new cloudwatch.MathExpression({
          label: `${consumer} ${metric}`,
          expression:
            `SELECT MAX(${metric}) FROM SCHEMA("AWS/Kafka", "Cluster Name", "Consumer Group", Topic) ` +
            `WHERE "Cluster Name" = '${props.kafkaClusterName}' AND "Consumer Group" = '${group}'`,
          usingMetrics: {},
          period: Duration.minutes(1),
        });
        add(
          query.createAlarm(this, `Lag-${consumer}-${metric}`, {
            alarmName: `paystream-${consumer}-${metric}`,
            alarmDescription: `${consumer} (group ${group}) ${metric} above ${settings.consumerLagThreshold} for 5 minutes`,
            threshold: settings.consumerLagThreshold,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 5,
            treatMissingData: cloudwatch.TreatMissingData.MISSING,
          }),
        );
      }
    }
  }
}
