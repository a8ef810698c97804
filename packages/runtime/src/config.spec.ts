import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { mskIamSasl } from './msk-iam.js';

const kafkaEnv = {
  KAFKA_BROKERS: 'b-1.example:9098,b-2.example:9098',
  KMS_KEY_ID: 'alias/paystream',
  S3_BUCKET: 'paystream-files',
};

describe('configuration', () => {
  it('defaults to the embedded engines on port 8080', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: 'embedded', port: 8080, host: '127.0.0.1' });
    expect(c.dataDir.endsWith('.paystream')).toBe(true);
  });

  it('selects Kafka mode by KAFKA_BROKERS and requires the key and bucket', () => {
    expect(loadConfig(kafkaEnv).kafka).toMatchObject({
      brokers: ['b-1.example:9098', 'b-2.example:9098'],
      auth: 'none',
    });
    expect(() => loadConfig({ KAFKA_BROKERS: 'k:9092', S3_BUCKET: 'b' })).toThrow(/^KMS_KEY_ID: is required/);
    expect(() => loadConfig({ KAFKA_BROKERS: 'k:9092', KMS_KEY_ID: 'k' })).toThrow(/^S3_BUCKET: is required/);
  });

  it('names every problem at once, each with its fix', () => {
    let err: unknown;
    try {
      loadConfig({ KAFKA_BROKERS: 'k:9092,nope', PORT: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PaystreamError);
    const e = err as PaystreamError;
    expect(e.code).toBe('invalid_config');
    expect(e.details?.variables).toEqual(['KAFKA_BROKERS', 'KMS_KEY_ID', 'S3_BUCKET', 'PORT']);
    expect(e.message).toMatch(/^Paystream cannot start:\n {2}- KAFKA_BROKERS: "nope" is not host:port\n/);
    expect(e.message).toMatch(/KMS_KEY_ID: is required in Kafka mode .*set a KMS key id, ARN or alias/);
    expect(e.message).toMatch(/S3_BUCKET: is required in Kafka mode .*set a bucket name/);
    expect(e.message).toMatch(/PORT: must be a TCP port number/);
  });

  it('names the variable in every error', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^PORT: /);
    expect(() => loadConfig({ KAFKA_BROKERS: 'no-port' })).toThrow(
      /KAFKA_BROKERS: "no-port" is not host:port/,
    );
    expect(() => loadConfig({ PAYSTREAM_API_KEY: 'short' })).toThrow(/PAYSTREAM_API_KEY/);
    expect(() => loadConfig({ ...kafkaEnv, KAFKA_AUTH: 'kerberos' })).toThrow(/KAFKA_AUTH: must be/);
  });

  it('configures MSK IAM auth as SASL/OAUTHBEARER', () => {
    expect(loadConfig({ ...kafkaEnv, KAFKA_AUTH: 'aws-msk-iam' }).kafka?.auth).toBe('aws-msk-iam');
    const sasl = mskIamSasl('us-east-1');
    expect(sasl.mechanism).toBe('oauthbearer');
  });
});
