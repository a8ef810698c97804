import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  startMoto,
} from '../../testkit/src/aws.js';
import { AwsKmsKeyManager, createKmsKey } from './aws-kms.js';
import { keyManagerContract } from './contract.js';
import { Envelope } from './envelope.js';

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

const clientOpts = () => ({ region: LOCAL_AWS_REGION, endpoint, credentials: LOCAL_AWS_CREDENTIALS });

keyManagerContract('AWS KMS (moto)', async () => {
  const keyId = await createKmsKey(clientOpts(), 'paystream contract test');
  const made: AwsKmsKeyManager[] = [];
  const open = () => {
    const k = new AwsKmsKeyManager({ keyId, ...clientOpts() });
    made.push(k);
    return k;
  };
  return {
    keys: open(),
    reopen: async () => open(),
    cleanup: async () => {
      for (const k of made) k.destroy();
    },
  };
});

describe('AWS KMS adapter', () => {
  it('reports an unreachable KMS as key_service_unavailable', async () => {
    const keys = new AwsKmsKeyManager({
      keyId: 'alias/none',
      region: LOCAL_AWS_REGION,
      endpoint: 'http://127.0.0.1:9',
      credentials: LOCAL_AWS_CREDENTIALS,
      maxAttempts: 1,
    });
    await expect(new Envelope(keys).seal(Buffer.from('x'))).rejects.toMatchObject({
      code: 'key_service_unavailable',
    });
    keys.destroy();
  });
});
