// The webhooks service: a consumer and a dispatcher around the webhook tables.
//
//   consumer (group paystream-webhooks, TOPICS.events): log events → stored webhook events
//     (id from the log position) and one pending delivery per interested endpoint
//     (delivery/materializer.ts); also published to SNS when WEBHOOKS_SNS_TOPIC_ARN is set.
//   dispatcher (clock-free timer every pollIntervalMs, and on new deliveries): due deliveries →
//     signed POSTs, per-endpoint bounded concurrency, retries with backoff
//     (delivery/dispatcher.ts).
//   routes: the endpoints API (http/routes.ts).

import { randomInt } from 'node:crypto';
import { TenantDirectory } from '@paystream/auth';
import { TOPICS } from '@paystream/eventing';
import type { RunningService, ServiceContext, ServiceModule } from '@paystream/runtime';
import { type EventPublisher, snsPublisher } from './aws/sns.js';
import { loadWebhooksConfig, type WebhooksConfig } from './config.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { Materializer, WEBHOOKS_GROUP } from './delivery/materializer.js';
import { SOURCE_TYPES } from './domain/catalog.js';
import { webhookRoutes } from './http/routes.js';
import { httpSender, type Sender } from './http/sender.js';
import { SecretBox } from './secrets.js';
import { type Resolver, systemResolver } from './ssrf/guard.js';
import { WebhookRepository } from './store/repository.js';
import { WEBHOOK_TABLES } from './store/tables.js';

export interface WebhooksOptions {
  /** Defaults to loadWebhooksConfig(process.env). */
  readonly config?: WebhooksConfig;
  readonly sender?: Sender;
  readonly resolver?: Resolver;
  /** Uniform in [0, 1) (retry jitter); default from node:crypto. */
  readonly random?: () => number;
  readonly publisher?: EventPublisher;
}

export interface RunningWebhooks extends RunningService {
  readonly dispatcher: Dispatcher;
}

const cryptoRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

export function createWebhooksService(options: WebhooksOptions = {}): ServiceModule {
  return {
    name: 'webhooks',
    async start(ctx: ServiceContext): Promise<RunningWebhooks> {
      const config = options.config ?? loadWebhooksConfig();
      const { engines, logger, metrics } = ctx;
      await engines.readStore.ensureTables(WEBHOOK_TABLES);
      const directory = new TenantDirectory(engines.readStore);
      await directory.init();
      const repo = new WebhookRepository(engines.readStore);
      const secrets = new SecretBox(engines.envelope);
      const resolver = options.resolver ?? systemResolver;
      const publisher =
        options.publisher ??
        (config.snsTopicArn
          ? snsPublisher({
              topicArn: config.snsTopicArn,
              region: config.awsRegion,
              ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
            })
          : null);

      const dispatcher = new Dispatcher({
        repo,
        secrets,
        clock: engines.clock,
        random: options.random ?? cryptoRandom,
        sender: options.sender ?? httpSender,
        resolver,
        logger,
        metrics,
        allowPrivate: config.allowPrivate,
        maxInFlightPerEndpoint: config.maxInFlightPerEndpoint,
        maxInFlight: config.maxInFlight,
        timeoutMs: config.timeoutMs,
        leaseMarginMs: config.leaseMarginMs,
      });
      const kick = () => void dispatcher.poll();
      const materializer = new Materializer({
        engines,
        repo,
        logger,
        publisher,
        projectionsWaitMs: config.projectionsWaitMs,
        onDeliveries: kick,
      });
      const subscription = await engines.bus.consume(
        { groupId: WEBHOOKS_GROUP, topics: [TOPICS.events], types: SOURCE_TYPES, maxBatchRecords: 500 },
        materializer.handle,
      );
      const timer = setInterval(kick, config.pollIntervalMs);
      timer.unref();
      kick();
      let stopped = false;
      logger.info({ allowPrivate: config.allowPrivate, sns: publisher !== null }, 'webhooks started');

      return {
        dispatcher,
        routes: webhookRoutes({
          directory,
          repo,
          secrets,
          clock: engines.clock,
          resolver,
          allowPrivate: config.allowPrivate,
          onDue: kick,
        }),
        health: [{ name: 'webhooks', check: () => !stopped }],
        async stop() {
          stopped = true;
          clearInterval(timer);
          await subscription.stop();
          await dispatcher.stop();
          publisher?.close();
        },
      };
    },
  };
}

export const webhooksService: ServiceModule = createWebhooksService();
