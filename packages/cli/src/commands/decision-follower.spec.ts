// The bench's follower: decisions seen on the events topic (before or after the load reports the
// payment), and visible once the projections group has committed past them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, topicSpecs } from '@paystream/eventing';
import { SqliteEventLog } from '@paystream/log';
import { PROJECTIONS_GROUP } from '@paystream/projections';
import { EmbeddedSchemaRegistry, EnvelopeCodec } from '@paystream/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionFollower } from './decision-follower.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rec = (key: string, type: string) => ({
  topic: TOPICS.events,
  key,
  value: Buffer.from('not decoded for this type'),
  headers: { type, tenant: 'default' },
});

describe('DecisionFollower', () => {
  it('counts each payment once when decided, early or late, and visible once projections commit past it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-follower-'));
    const log = new SqliteEventLog({ path: join(dir, 'log.db') });
    try {
      await log.createTopics(topicSpecs(4));
      const codec = await EnvelopeCodec.create(new EmbeddedSchemaRegistry());
      const follower = await DecisionFollower.start(log, codec, 'bench-follower-test');
      follower.add(['pay_1']);
      await log.append([
        rec('pay_1', 'PaymentAuthorized'),
        rec('pay_1', 'EscrowHeld'),
        rec('pay_2', 'PaymentDeclined'), // decided before the load reported it
        rec('pay_3', 'PaymentCaptured'), // never decided in this test
      ]);
      // The follower has read everything appended (pay_2's decision among it).
      const end = await log.endPosition([TOPICS.events]);
      expect(await log.waitForGroup('bench-follower-test', end, 10_000)).toBe(true);
      follower.add(['pay_2', 'pay_3']);
      expect(follower.decided).toBe(2);
      expect(follower.statuses).toEqual({ held: 1, declined: 1 });
      expect(follower.visible).toBe(0); // the projections have not committed anything
      const projections = await log.subscribe(
        { groupId: PROJECTIONS_GROUP, topics: [TOPICS.events] },
        async () => {},
      );
      await follower.follow(() => true, performance.now() + 3_000);
      await projections.stop();
      await follower.stop();
      expect(follower.visible).toBe(2);
      expect(follower.invisible).toBe(0);
      expect(follower.pending).toBe(1); // pay_3
    } finally {
      await log.close();
    }
  }, 30_000);
});
