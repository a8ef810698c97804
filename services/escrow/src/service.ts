// The escrow service: consumes commands, owns payment aggregates, talks to the payment network.

import { TOPICS } from '@paystream/eventing';
import type { RunningService, ServiceContext, ServiceModule } from '@paystream/runtime';
import type { PaymentGateway } from './gateway/port.js';
import { SimulatedGateway } from './gateway/simulator.js';
import { CardVault } from './processor/card-vault.js';
import { HoldScheduler } from './processor/hold-scheduler.js';
import { PaymentCache } from './processor/payment-cache.js';
import { EscrowProcessor } from './processor/processor.js';

export interface EscrowServiceOptions {
  /** The acquirer adapter; the simulator with the documented test cards by default. */
  readonly gateway?: PaymentGateway;
  readonly holdCheckIntervalMs?: number;
}

export function createEscrowService(options: EscrowServiceOptions = {}): ServiceModule {
  return {
    name: 'escrow',
    async start(ctx: ServiceContext): Promise<RunningService> {
      const { engines, logger, metrics } = ctx;
      const vault = new CardVault(engines.readStore, engines.bus);
      await vault.init();
      const cache = new PaymentCache(engines.bus);
      const processor = new EscrowProcessor({
        cache,
        vault,
        gateway: options.gateway ?? new SimulatedGateway({ clock: engines.clock }),
        crypto: engines.envelope,
        clock: engines.clock,
        logger,
        metrics,
        codec: engines.bus.codec,
      });
      const vaultSub = await vault.run();
      const sub = await engines.bus.consume(
        {
          groupId: 'paystream-escrow',
          topics: [TOPICS.commands],
          // A revoked partition may be moved on by another member: its payments are read from
          // the events topic again when (and if) it comes back.
          onRevoked: (partitions) => {
            for (const p of partitions) if (p.topic === TOPICS.commands) cache.invalidate(p.partition);
          },
        },
        (records, c) => processor.handle(records, c),
      );
      const holds = new HoldScheduler(cache, engines.bus, engines.clock, logger);
      holds.start(options.holdCheckIntervalMs ?? 1_000);
      return {
        async stop() {
          await holds.stop();
          await sub.stop();
          await vaultSub.stop();
        },
      };
    },
  };
}

export const escrowService = createEscrowService();
