import { randomBytes } from 'node:crypto';
import { DynamoDbReadStore } from '@paystream/readstore';
import { afterAll, beforeAll } from 'vitest';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  startDynamoDbLocal,
} from '../../../../packages/testkit/src/aws.js';
import { idempotencyStoreSuite } from './store.contract.js';
import { IDEMPOTENCY_TABLE } from './store.js';

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

idempotencyStoreSuite('DynamoDB Local', async () => {
  // A namespace of its own on the shared server, dropped afterwards.
  const readStore = new DynamoDbReadStore({
    region: LOCAL_AWS_REGION,
    endpoint,
    credentials: LOCAL_AWS_CREDENTIALS,
    prefix: `idem${randomBytes(4).toString('hex')}_`,
  });
  return {
    readStore,
    async close() {
      await readStore.dropTables([IDEMPOTENCY_TABLE]);
      await readStore.close();
    },
  };
});
