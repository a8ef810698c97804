import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  startDynamoDbLocal,
} from '../../testkit/src/aws.js';
import { CONTRACT_TABLES, readStoreContract } from './contract.js';
import { DynamoDbReadStore } from './dynamodb.js';
import { defineTable } from './port.js';

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

const storeFor = (prefix: string) =>
  new DynamoDbReadStore({ region: LOCAL_AWS_REGION, endpoint, credentials: LOCAL_AWS_CREDENTIALS, prefix });

readStoreContract('DynamoDB Local', async () => {
  // One namespace per fixture keeps tests apart on the shared server.
  const ns = `t${randomBytes(4).toString('hex')}_`;
  const opened: { prefix: string; store: DynamoDbReadStore }[] = [];
  return {
    open: async (prefix) => {
      const store = storeFor(ns + prefix);
      opened.push({ prefix: ns + prefix, store });
      return store;
    },
    cleanup: async () => {
      // Drop what the test created so DynamoDB Local's memory stays flat across the suite.
      for (const { prefix } of opened) {
        const s = storeFor(prefix);
        await s.dropTables(CONTRACT_TABLES);
        await s.close();
      }
    },
  };
});

describe('DynamoDB read store', () => {
  it('reports an unreachable endpoint as readstore_unavailable', async () => {
    const store = new DynamoDbReadStore({
      region: LOCAL_AWS_REGION,
      endpoint: 'http://127.0.0.1:9',
      credentials: LOCAL_AWS_CREDENTIALS,
      maxAttempts: 1,
    });
    const t = defineTable({ name: 'payments', key: { pk: 'id' } });
    await expect(store.get(t, { id: 'x' })).rejects.toMatchObject({ code: 'readstore_unavailable' });
    await store.close();
  });
});
