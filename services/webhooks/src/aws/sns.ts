// Optional fan-out inside AWS: every webhook event is also published to an SNS topic (KMS
// encrypted, from the CDK app), with the webhook id, type and tenant as message attributes.
// At least once, like the HTTP deliveries: subscribers dedupe by `webhook-id`.

import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { StoredEvent } from '../store/repository.js';

export interface EventPublisher {
  publish(event: StoredEvent): Promise<void>;
  close(): void;
}

export interface SnsOptions {
  readonly topicArn: string;
  readonly region: string;
  readonly endpoint?: string;
  /** Default: the SDK's credential chain (the task role on ECS). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function snsPublisher(options: SnsOptions): EventPublisher {
  const client = new SNSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return {
    async publish(event) {
      await client.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Message: event.body,
          MessageAttributes: {
            'webhook-id': { DataType: 'String', StringValue: event.id },
            type: { DataType: 'String', StringValue: event.type },
            tenant: { DataType: 'String', StringValue: event.tenantId },
          },
        }),
      );
    },
    close: () => client.destroy(),
  };
}
