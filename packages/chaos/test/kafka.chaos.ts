// Chaos in Kafka mode: Apache Kafka (KRaft), DynamoDB Local, moto for KMS and S3; the six
// services as six processes, each SIGKILLed and restarted at random under load, the broker
// restarted once, poison on the commands and inbound topics; then every invariant.

import { describe, it } from 'vitest';
import { chaosOptions } from '../src/scenario.js';
import { runScenario } from './run.js';

describe('chaos, Kafka mode, one process per service', () => {
  it('keeps every invariant while services are SIGKILLed and the broker restarts under load', async () => {
    await runScenario(chaosOptions('kafka'));
  });
});
