// The Python examples (examples/python) against a local Kafka-mode stack: every service in this
// process on the servers the integration global setup started (Kafka, the schema registry,
// DynamoDB Local, moto). The producer sends a payment command to the inbound topic; the consumer
// reads the payment's events with confluent-kafka's AvroDeserializer and SchemaRegistryClient
// and checks their hash chain — knowing nothing of Paystream but docs/KAFKA.md. Their packages
// come from PyPI into a venv the testkit caches (examples/python/requirements.txt).

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { paymentIdFor } from '@paystream/escrow';
import { ensurePythonVenv } from '@paystream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaStack, startKafkaStack, testServerEnv } from './kafka-stack.js';
import { type Api, call } from './scenario.js';

const run = promisify(execFile);
const EXAMPLES = fileURLToPath(new URL('../../../examples/python/', import.meta.url));

const { brokers, registryUrl } = testServerEnv();
const key = 'psk_python_examples_tenant_key_000000000';
let stack: KafkaStack;
let runId: string;
let api: Api;
let python: string;

beforeAll(async () => {
  const [venvPython, started] = await Promise.all([
    ensurePythonVenv('examples', join(EXAMPLES, 'requirements.txt')),
    startKafkaStack({ name: 'python', tablePrefix: 'py', apiKey: key }),
  ]);
  python = venvPython;
  stack = started;
  runId = stack.runId;
  api = { url: stack.running.url, key };
}, 600_000);

afterAll(async () => {
  await stack?.close();
});

async function example(script: string, args: string[]): Promise<Record<string, unknown>[]> {
  try {
    const { stdout } = await run(python, [join(EXAMPLES, script), ...args], {
      cwd: EXAMPLES,
      timeout: 120_000,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe('examples/python against a local Kafka-mode stack', () => {
  it('produces a payment command to the inbound topic and reads its verified events back', async () => {
    // Cards are tokenized over HTTPS only: a card number on a topic would be plaintext at rest.
    const card = await call(api, 'POST', '/v1/payment-methods/cards', {
      customerId: 'cus_py',
      number: '4242424242424242',
      expMonth: 12,
      expYear: 2030,
      cvc: '123',
    });
    expect(card.status).toBe(201);

    const idem = `py-order-${runId}`;
    const [sent] = await example('producer.py', [
      ...['--brokers', brokers, '--tenant', 'default', '--idempotency-key', idem],
      ...['--payment-method', String(card.body.id), '--customer', 'cus_py', '--provider', 'prov_py'],
      ...['--amount', '4200', '--currency', 'USD'],
    ]);
    // The id the producer computed from the documented formula is the one Paystream gives.
    expect(sent).toMatchObject({ topic: 'paystream.inbound', paymentId: paymentIdFor('default', idem) });

    // The producer finds its payment by its key, and waits for a decision.
    let payment: Record<string, unknown> = {};
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const res = await call(api, 'GET', `/v1/payments?idempotencyKey=${idem}`);
      const [found] = (res.body.data ?? []) as Record<string, unknown>[];
      if (found && !['pending', 'authorized'].includes(String(found.status))) {
        payment = found;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(payment).toMatchObject({ id: sent!.paymentId, status: 'held', amount: 4200 });

    const lines = await example('consumer.py', [
      ...['--brokers', brokers, '--registry', registryUrl, '--payment-id', String(sent!.paymentId)],
    ]);
    const summary = lines.at(-1)!;
    const events = lines.slice(0, -1);
    expect(summary).toEqual({ paymentId: sent!.paymentId, events: events.length, verified: true });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('PaymentRequested');
    expect(types).toContain('EscrowHeld');
    for (const [i, e] of events.entries()) {
      expect(e).toMatchObject({
        schemaId: stack.running.engines.bus.codec.schemaId,
        aggregateId: sent!.paymentId,
        aggregateVersion: i + 1,
        hashOk: true,
        chainOk: true,
        payloadRecord: `paystream.events.${String(e.type)}`,
        headers: { type: e.type, tenant: 'default' },
      });
    }
  }, 300_000);
});
