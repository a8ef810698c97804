import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { AwsRequestCounter, diffAwsRequests } from './aws-requests.js';
import { createMetrics } from './metrics.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Answers every request with an empty body, so the SDK's middleware runs without a server. */
const stubHandler = {
  handle: async () => ({
    response: {
      statusCode: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Buffer.from('{}'),
    },
  }),
};

function dynamo(): { raw: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const raw = new DynamoDBClient({ region: 'us-east-1', credentials, requestHandler: stubHandler as never });
  return { raw, doc: DynamoDBDocumentClient.from(raw) };
}

describe('AwsRequestCounter', () => {
  it('counts DynamoDB requests by operation and table, and items written, prefix dropped', async () => {
    const metrics = createMetrics();
    const counter = new AwsRequestCounter({ metrics });
    const { raw, doc } = dynamo();
    counter.instrumentDynamoDb(raw, 'ns1_');
    const before = counter.snapshot();

    await doc.send(new GetCommand({ TableName: 'ns1_payments', Key: { id: 'a' } }));
    await doc.send(new PutCommand({ TableName: 'ns1_payments', Item: { id: 'a' } }));
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          ns1_cards: [{ PutRequest: { Item: { id: 'c1' } } }, { PutRequest: { Item: { id: 'c2' } } }],
          ns1_payments: [{ DeleteRequest: { Key: { id: 'b' } } }],
        },
      }),
    );
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'ns1_escrows', Item: { id: 'e' } } },
          {
            ConditionCheck: {
              TableName: 'ns1_escrows',
              Key: { id: 'f' },
              ConditionExpression: 'attribute_exists(id)',
            },
          },
          { Delete: { TableName: 'ns1_escrows', Key: { id: 'g' } } },
        ],
      }),
    );

    const d = diffAwsRequests(before, counter.snapshot());
    expect(d.dynamodb).toEqual({
      'GetItem payments': 1,
      'PutItem payments': 1,
      'BatchWriteItem *': 1,
      'TransactWriteItems escrows': 1,
    });
    expect(d.dynamodbRequests).toBe(4);
    // The condition check writes nothing; the delete in the batch does.
    expect(d.dynamodbItemsWritten).toEqual({ payments: 2, cards: 2, escrows: 2 });
    expect(d.dynamodbItemsWrittenTotal).toBe(6);
    expect(d.kmsRequests).toBe(0);

    const text = await metrics.registry.metrics();
    expect(text).toContain('paystream_dynamodb_requests_total{op="GetItem",table="payments"} 1');
    expect(text).toContain('paystream_dynamodb_items_written_total{table="cards"} 2');
  });

  it('counts KMS requests by operation, and keeps counts per counter', async () => {
    const metrics = createMetrics();
    const counter = new AwsRequestCounter({ metrics });
    const other = new AwsRequestCounter();
    const kms = new KMSClient({ region: 'us-east-1', credentials, requestHandler: stubHandler as never });
    counter.instrumentKms(kms);
    await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/x', KeySpec: 'AES_256' }));
    await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/x', KeySpec: 'AES_256' }));
    expect(counter.snapshot().kms).toEqual({ GenerateDataKey: 2 });
    expect(counter.snapshot().kmsRequests).toBe(2);
    expect(other.snapshot().kmsRequests).toBe(0);
    expect(await metrics.registry.metrics()).toContain(
      'paystream_kms_requests_total{op="GenerateDataKey"} 2',
    );
  });
});
