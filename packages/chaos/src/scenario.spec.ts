import { describe, expect, it } from 'vitest';
import { deadConsumersIn } from './scenario.js';

const line = (
  pid: number,
  msg: string,
  error = 'KafkaJSGroupCoordinatorNotFound: Failed to find group coordinator',
) => JSON.stringify({ level: 50, time: '2026-12-04T21:16:42.765Z', pid, msg, error });

describe('deadConsumersIn (the "no consumer died" check)', () => {
  const served = (pid: number) => pid !== 99;

  it('counts a consumer that crashed and was never restarted', () => {
    const log = [line(7, 'consumer group paystream-escrow-vault crashed; restarting in 2000 ms')].join('\n');
    expect(deadConsumersIn('escrow', log, served)).toEqual([
      expect.stringContaining(
        'escrow pid 7 at 2026-12-04T21:16:42.765Z: consumer group paystream-escrow-vault crashed',
      ),
    ]);
  });

  it('forgives a crash the same process restarted, and crashes kafkajs restarts itself', () => {
    const log = [
      line(7, 'consumer group paystream-escrow-vault crashed; restarting in 2000 ms'),
      line(7, 'consumer group paystream-escrow-commands crashed; kafkajs restarts it'),
      line(7, 'consumer group paystream-escrow-vault restarted after a crash'),
      'not json at all: consumer group x crashed',
    ].join('\n');
    expect(deadConsumersIn('escrow', log, served)).toEqual([]);
  });

  it('does not let another process or another group restart stand in', () => {
    const log = [
      line(7, 'consumer group paystream-escrow-vault crashed; restarting in 2000 ms'),
      line(8, 'consumer group paystream-escrow-vault restarted after a crash'),
      line(7, 'consumer group paystream-escrow-commands restarted after a crash'),
      line(99, 'consumer group paystream-escrow-vault crashed; restarting in 2000 ms'), // never served
    ].join('\n');
    expect(deadConsumersIn('escrow', log, served)).toHaveLength(1);
  });
});
