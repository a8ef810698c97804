import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  startMoto,
} from '../../testkit/src/aws.js';
import { objectStoreContract } from './contract.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3.js';

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

// moto's conditional PutObject is check-then-write; see ObjectStoreContractOptions.
const MOTO = { concurrentRace: false };

const opts = (extra: Partial<S3ObjectStoreOptions> = {}): S3ObjectStoreOptions => ({
  bucket: `paystream-test-${randomBytes(6).toString('hex')}`,
  region: LOCAL_AWS_REGION,
  endpoint,
  credentials: LOCAL_AWS_CREDENTIALS,
  ...extra,
});

objectStoreContract(
  'S3 (moto), own bucket',
  async () => {
    const store = new S3ObjectStore(opts());
    return { store, cleanup: async () => store.destroy() };
  },
  MOTO,
);

objectStoreContract(
  'S3 (moto), shared bucket under a key prefix',
  async () => {
    const store = new S3ObjectStore(
      opts({ bucket: 'paystream-shared', keyPrefix: `run-${randomBytes(6).toString('hex')}/` }),
    );
    return { store, cleanup: async () => store.destroy() };
  },
  MOTO,
);

describe('S3 object store', () => {
  it('creates its bucket once, also when many calls race for it', async () => {
    const o = opts();
    const a = new S3ObjectStore(o);
    const b = new S3ObjectStore(o);
    await Promise.all([a.put('k1', Buffer.from('1')), b.put('k2', Buffer.from('2')), a.get('k3')]);
    expect(await b.list('')).toEqual(['k1', 'k2']);
    a.destroy();
    b.destroy();
  });

  it('fails clearly when the bucket is missing and creation is off', async () => {
    const store = new S3ObjectStore(opts({ createBucket: false, maxAttempts: 1 }));
    await expect(store.get('x')).rejects.toMatchObject({ code: 'object_store_unavailable' });
    store.destroy();
  });
});
