// The counter on a real adapter: each ReadStore call is the one DynamoDB request it should be,
// and the items written are counted per table.

import { randomBytes } from 'node:crypto';
import { DynamoDbReadStore, defineTable, GroupedWriter } from '@paystream/readstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  startDynamoDbLocal,
} from '../../testkit/src/aws.js';
import { AwsRequestCounter, diffAwsRequests } from './aws-requests.js';

let server: LocalServer | undefined;
let endpoint = process.env.PAYSTREAM_TEST_DYNAMODB_ENDPOINT ?? '';

beforeAll(async () => {
  if (!endpoint) {
    server = await startDynamoDbLocal();
    endpoint = server.endpoint;
  }
});
afterAll(async () => {
  await server?.stop();
});

const things = defineTable({ name: 'things', key: { pk: 'id' } });

describe('AwsRequestCounter on DynamoDbReadStore', () => {
  it('counts one request per call, by table without the prefix, and the items each writes', async () => {
    const prefix = `cnt${randomBytes(4).toString('hex')}_`;
    const store = new DynamoDbReadStore({
      region: LOCAL_AWS_REGION,
      endpoint,
      credentials: LOCAL_AWS_CREDENTIALS,
      prefix,
    });
    const counter = new AwsRequestCounter();
    counter.instrumentDynamoDb(store.sdkClient, prefix);
    try {
      await store.ensureTables([things]);
      const before = counter.snapshot();
      await store.putIfNewer(things, { id: 'a' }, 1);
      await store.get(things, { id: 'a' });
      const writer = new GroupedWriter(store);
      await Promise.all(['b', 'c', 'd'].map((id) => writer.putIfNewer(things, { id }, 1)));
      const d = diffAwsRequests(before, counter.snapshot());
      expect(d.dynamodb).toEqual({
        'PutItem things': 1,
        'GetItem things': 1,
        'TransactWriteItems things': 1,
      });
      expect(d.dynamodbItemsWritten).toEqual({ things: 4 });
    } finally {
      await store.dropTables([things]);
      await store.close();
    }
  });
});
