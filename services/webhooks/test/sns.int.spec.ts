// The SNS fan-out against moto's SNS: a webhook event published to a topic reaches an SQS queue
// subscribed to it, body and attributes intact (moto serves SNS and SQS at the shared endpoint).

import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, type LocalServer, startMoto } from '@paystream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snsPublisher } from '../src/aws/sns.js';
import { loadWebhooksConfig } from '../src/config.js';

let server: LocalServer | undefined;
let endpoint = process.env.PAYSTREAM_TEST_AWS_ENDPOINT ?? '';

beforeAll(async () => {
  if (!endpoint) {
    server = await startMoto();
    endpoint = server.endpoint;
  }
});
afterAll(async () => {
  await server?.stop();
});

/** An SQS query-API call (moto does not check signatures; the scope names the service). */
async function sqs(params: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${LOCAL_AWS_REGION}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`SQS ${params.Action}: ${res.status} ${text}`);
  return text;
}

const tag = (xml: string, name: string): string | null =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? null;
const unescapeXml = (s: string) =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

describe('SNS fan-out (moto)', () => {
  it('publishes each webhook event with its id, type and tenant', async () => {
    const name = `paystream-webhooks-${Date.now().toString(36)}`;
    const sns = new SNSClient({ region: LOCAL_AWS_REGION, endpoint, credentials: LOCAL_AWS_CREDENTIALS });
    const topicArn = (
      await sns.send(
        new CreateTopicCommand({ Name: name, Attributes: { KmsMasterKeyId: 'alias/paystream-card-data' } }),
      )
    ).TopicArn!;
    // The ARN moto gives passes the configuration check the service applies at start.
    expect(loadWebhooksConfig({ WEBHOOKS_SNS_TOPIC_ARN: topicArn }).snsTopicArn).toBe(topicArn);

    const queueUrl = unescapeXml(tag(await sqs({ Action: 'CreateQueue', QueueName: name }), 'QueueUrl')!);
    const attrs = await sqs({
      Action: 'GetQueueAttributes',
      QueueUrl: queueUrl,
      'AttributeName.1': 'QueueArn',
    });
    const queueArn = tag(attrs, 'Value')!;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'false' },
      }),
    );

    const publisher = snsPublisher({
      topicArn,
      region: LOCAL_AWS_REGION,
      endpoint,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    const body = JSON.stringify({
      id: 'evt_sns_1',
      type: 'payout.paid',
      created: '2026-12-05T00:00:00.000Z',
      data: { id: 'po_1' },
    });
    await publisher.publish({ id: 'evt_sns_1', tenantId: 'default', type: 'payout.paid', body });
    publisher.close();

    let message: string | null = null;
    for (let i = 0; i < 20 && message === null; i++) {
      const received = await sqs({
        Action: 'ReceiveMessage',
        QueueUrl: queueUrl,
        WaitTimeSeconds: '1',
        MaxNumberOfMessages: '1',
      });
      const b = tag(received, 'Body');
      if (b) message = unescapeXml(b);
    }
    expect(message).not.toBeNull();
    const notification = JSON.parse(message!) as {
      TopicArn: string;
      Message: string;
      MessageAttributes: Record<string, { Value: string }>;
    };
    expect(notification.TopicArn).toBe(topicArn);
    expect(notification.Message).toBe(body);
    expect(notification.MessageAttributes['webhook-id']?.Value).toBe('evt_sns_1');
    expect(notification.MessageAttributes.type?.Value).toBe('payout.paid');
    expect(notification.MessageAttributes.tenant?.Value).toBe('default');
    sns.destroy();
  });
});
