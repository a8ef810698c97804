import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { KafkaLogLevel } from './kafka-options.js';
import { logCreatorFor } from './kafka-options.js';

function levelOf(namespace: string, level: logLevel, message: string): KafkaLogLevel {
  const seen: KafkaLogLevel[] = [];
  const log = logCreatorFor((l) => seen.push(l))();
  log({ namespace, level, label: 'ERROR', log: { message, timestamp: 'now' } });
  return seen[0]!;
}

describe('kafkajs log levels', () => {
  it('keeps a broker error response that kafkajs retries below the default level', () => {
    expect(levelOf('Connection', logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)')).toBe(
      'debug',
    );
    expect(levelOf('Connection', logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)')).toBe('debug');
  });

  it('reports a lost connection as a warning and anything else at its own level', () => {
    expect(levelOf('Connection', logLevel.ERROR, 'Connection error: connect ECONNREFUSED')).toBe('warn');
    expect(levelOf('Consumer', logLevel.ERROR, 'Crash: KafkaJSNonRetriableError')).toBe('error');
    expect(levelOf('Consumer', logLevel.WARN, 'Restarting the consumer')).toBe('warn');
  });
});
