// CloudWatch dashboards for the three views the operator console shows — performance, cost and
// infrastructure — next to the alarms, over the metrics AWS records for the stack's resources
// (load balancer, ECS, MSK, DynamoDB, KMS usage) and the counters the services emit themselves
// (namespace Paystream: EMF lines on stdout, packages/runtime/src/emf.ts). Figures only the read
// models know (declines by reason, the review backlog, the saving against the processor
// baseline to the cent) live in the console and GET /v1/console/overview, /v1/analytics/costs;
// the text widgets say so, so nobody looks for them here.

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { CONSUMERS, type ServiceName, type Settings } from './settings.js';

export interface DashboardsProps {
  readonly settings: Settings;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly ingestTargetGroup: elbv2.ApplicationTargetGroup;
  readonly services: ReadonlyMap<ServiceName, ecs.FargateService>;
  readonly kafkaClusterName: string;
  readonly alarms: readonly cloudwatch.Alarm[];
}

export const DASHBOARD_NAMES = {
  performance: 'paystream-performance',
  cost: 'paystream-cost',
  infrastructure: 'paystream-infrastructure',
} as const;

const PERIOD = Duration.minutes(1);
const FIVE = Duration.minutes(5);

/** A Paystream (EMF) counter summed per minute, one line per value of `dimension`. */
function counter(metric: string, dimension: string, label: string): cloudwatch.MathExpression {
  return search(
    `SEARCH('{Paystream,service,${dimension}} MetricName="${metric}"', 'Sum', 60)`,
    label,
    PERIOD,
  );
}

function search(expression: string, label: string, period = FIVE): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({ expression, label, usingMetrics: {}, period });
}

export class PaystreamDashboards extends Construct {
  readonly performance: cloudwatch.Dashboard;
  readonly cost: cloudwatch.Dashboard;
  readonly infrastructure: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    const { loadBalancer: lb, settings, kafkaClusterName: cluster } = props;
    const lbm = lb.metrics;
    const services = [...props.services.entries()];
    const prefix = settings.tablePrefix;

    // ---- performance -----------------------------------------------------------------------
    this.performance = new cloudwatch.Dashboard(this, 'Performance', {
      dashboardName: DASHBOARD_NAMES.performance,
      defaultInterval: Duration.hours(3),
    });
    this.performance.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown:
          '# Paystream · performance\nRequests, errors and latency at the load balancer in front of ingest. Success rate, declines by reason, fraud decisions and the review backlog per payment: the operator console (`/console`, Overview) and `GET /v1/console/overview`.',
      }),
    );
    this.performance.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests per minute',
        width: 8,
        left: [lbm.requestCount({ period: PERIOD, statistic: 'Sum', label: 'requests' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Ingest latency p50 / p95 / p99 (seconds)',
        width: 8,
        left: (['p50', 'p95', 'p99'] as const).map((p) =>
          lbm.targetResponseTime({ period: PERIOD, statistic: p, label: p }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Responses by class',
        width: 8,
        stacked: true,
        left: [
          lbm.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_2XX_COUNT, {
            period: PERIOD,
            statistic: 'Sum',
            label: '2xx',
          }),
          lbm.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, {
            period: PERIOD,
            statistic: 'Sum',
            label: '4xx',
          }),
          lbm.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period: PERIOD,
            statistic: 'Sum',
            label: '5xx',
          }),
          lbm.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
            period: PERIOD,
            statistic: 'Sum',
            label: 'load balancer 5xx',
          }),
        ],
      }),
    );
    this.performance.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Fraud decisions per minute',
        width: 8,
        stacked: true,
        left: [counter('FraudDecisions', 'decision', 'decision')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Escrow commands per minute (applied / rejected)',
        width: 8,
        left: [
          search(
            `SEARCH('{Paystream,service,type,outcome} MetricName="EscrowCommands"', 'Sum', 60)`,
            'commands',
            PERIOD,
          ),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Responses per service and status class',
        width: 8,
        left: [counter('HttpResponses', 'statusClass', 'responses')],
      }),
    );
    this.performance.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Ingest alarms',
        width: 24,
        height: 3,
        alarms: props.alarms.filter((a) => !a.node.id.startsWith('Lag-')),
      }),
    );

    // ---- cost ------------------------------------------------------------------------------
    this.cost = new cloudwatch.Dashboard(this, 'Cost', {
      dashboardName: DASHBOARD_NAMES.cost,
      defaultInterval: Duration.days(7),
    });
    this.cost.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 3,
        markdown:
          '# Paystream · cost\nWhat the stack consumes: the drivers of its bill. Cost per payment against the card processor baseline (saving = baseline − ours, to the cent, with monthly and yearly projections): the operator console (Overview) and `GET /v1/analytics/costs`, priced from `services/projections/config/prices.json`.',
      }),
    );
    this.cost.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed capacity (read models)',
        width: 12,
        left: [
          search(
            `SUM(SEARCH('{AWS/DynamoDB,TableName} MetricName="ConsumedWriteCapacityUnits" TableName="${prefix}"', 'Sum', 300))`,
            'write units',
          ),
          search(
            `SUM(SEARCH('{AWS/DynamoDB,TableName} MetricName="ConsumedReadCapacityUnits" TableName="${prefix}"', 'Sum', 300))`,
            'read units',
          ),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'KMS requests (envelope keys)',
        width: 12,
        left: [
          search(
            `SEARCH('{AWS/Usage,Class,Resource,Service,Type} Service="KMS" Type="API" MetricName="CallCount"', 'Sum', 300)`,
            'KMS',
          ),
        ],
      }),
    );
    this.cost.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Fargate CPU utilization per service (%)',
        width: 8,
        left: services.map(([name, s]) => s.metricCpuUtilization({ period: FIVE, label: name })),
      }),
      new cloudwatch.GraphWidget({
        title: 'MSK bytes in per broker',
        width: 8,
        left: [
          search(
            `SEARCH('{AWS/Kafka,"Broker ID","Cluster Name"} "Cluster Name"="${cluster}" MetricName="BytesInPerSec"', 'Average', 300)`,
            'bytes in/s',
          ),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Load balancer capacity units',
        width: 8,
        left: [lbm.custom('ConsumedLCUs', { period: FIVE, statistic: 'Sum', label: 'LCUs' })],
      }),
    );

    // ---- infrastructure --------------------------------------------------------------------
    this.infrastructure = new cloudwatch.Dashboard(this, 'Infrastructure', {
      dashboardName: DASHBOARD_NAMES.infrastructure,
      defaultInterval: Duration.hours(3),
    });
    this.infrastructure.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown:
          '# Paystream · infrastructure\nConsumer lag per group, service health and the stores. Dead letters with their reasons: the operator console (Infrastructure, admin) and `GET /v1/console/infrastructure`.',
      }),
    );
    this.infrastructure.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Consumer lag per group (MaxOffsetLag)',
        width: 12,
        left: CONSUMERS.map((c) =>
          search(
            `SELECT MAX(MaxOffsetLag) FROM SCHEMA("AWS/Kafka", "Cluster Name", "Consumer Group", Topic) WHERE "Cluster Name" = '${cluster}' AND "Consumer Group" = '${settings.consumerGroups[c]}'`,
            c,
            PERIOD,
          ),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Healthy ingest tasks behind the load balancer',
        width: 12,
        left: [
          props.ingestTargetGroup.metrics.healthyHostCount({ period: PERIOD, label: 'healthy' }),
          props.ingestTargetGroup.metrics.unhealthyHostCount({ period: PERIOD, label: 'unhealthy' }),
        ],
      }),
    );
    this.infrastructure.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Memory utilization per service (%)',
        width: 8,
        left: services.map(([name, s]) => s.metricMemoryUtilization({ period: FIVE, label: name })),
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB throttled requests and system errors',
        width: 8,
        left: [
          search(
            `SUM(SEARCH('{AWS/DynamoDB,TableName,Operation} MetricName="ThrottledRequests" TableName="${prefix}"', 'Sum', 300))`,
            'throttled',
          ),
          search(
            `SUM(SEARCH('{AWS/DynamoDB,TableName,Operation} MetricName="SystemErrors" TableName="${prefix}"', 'Sum', 300))`,
            'system errors',
          ),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'MSK broker CPU (user %)',
        width: 8,
        left: [
          search(
            `SEARCH('{AWS/Kafka,"Broker ID","Cluster Name"} "Cluster Name"="${cluster}" MetricName="CpuUser"', 'Average', 300)`,
            'cpu user',
          ),
        ],
      }),
    );
    this.infrastructure.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Dead letters per minute, by cause',
        width: 8,
        left: [counter('DeadLetters', 'cause', 'dead letters')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Events projected into the read models per minute',
        width: 8,
        left: [
          search(
            `SEARCH('{Paystream,service} MetricName="EventsProjected"', 'Sum', 60)`,
            'projected',
            PERIOD,
          ),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Inbound records per minute, by outcome',
        width: 8,
        left: [counter('InboundRecords', 'outcome', 'inbound')],
      }),
    );
    this.infrastructure.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'All alarms',
        width: 24,
        height: 4,
        alarms: [...props.alarms],
      }),
    );
  }
}
