// ReadQueries over the read models (the port is in read-queries.ts; ingest uses it).
//
// Read-your-writes. A position returned by a command names offsets on the commands topic; the
// projections never read that topic. The escrow service consumes it and appends the resulting
// events atomically with its offset commit, so: first wait until the command consumers have
// committed past the command, then wait until the projections have committed past everything
// the events topic held at that moment. Positions on the events topic are waited for directly.
// A position on the inbound topic (what a request that came in as an inbound record answers)
// adds one step in front: ingest's inbound consumer writes its commands atomically with its
// commit, so once it is past the record, the commands topic's end then covers them.

import { PaystreamError } from '@paystream/core';
import type { PaymentState } from '@paystream/escrow';
import { TOPICS } from '@paystream/eventing';
import { mergePositions, type Position, partitionKey } from '@paystream/log';
import { type Item, MAX_QUERY_LIMIT } from '@paystream/readstore';
import type { Engines } from '@paystream/runtime';
import { bankAccountView } from './projections/bank-accounts.js';
import type { BankAccountRef, CardRef, PaymentRef, ReadQueries } from './read-queries.js';
import { BANK_ACCOUNT_UPDATES, BANK_ACCOUNTS, CARDS, ESCROWS, PAYMENTS } from './tables.js';

export const PROJECTIONS_GROUP = 'paystream-projections';
/** The consumer group that turns commands into events (the escrow service). */
export const DEFAULT_COMMAND_GROUPS: readonly string[] = ['paystream-escrow'];
/** The consumer group that turns inbound records into commands (ingest's inbound consumer). */
export const DEFAULT_INBOUND_GROUPS: readonly string[] = ['paystream-ingest-inbound'];
/** Upper bound on any wait a caller can ask for. */
export const MAX_WAIT_MS = 30_000;

export interface ReadQueriesOptions {
  readonly commandGroups?: readonly string[];
  readonly inboundGroups?: readonly string[];
}

function owned(item: Item | null, tenantId: string): Item | null {
  return item !== null && item.tenantId === tenantId ? item : null;
}

function split(position: Position): { events: Position; commands: Position; inbound: Position } {
  const events: Record<string, number> = {};
  const commands: Record<string, number> = {};
  const inbound: Record<string, number> = {};
  for (const [k, v] of Object.entries(position)) {
    if (k.startsWith(`${TOPICS.events}/`)) events[k] = v;
    else if (k.startsWith(`${TOPICS.commands}/`)) commands[k] = v;
    else if (k.startsWith(`${TOPICS.inbound}/`)) inbound[k] = v;
    else {
      throw new PaystreamError(
        'invalid_position',
        `position names ${k}, which no projection follows`,
        'after',
      );
    }
  }
  return { events, commands, inbound };
}

export function createReadQueries(engines: Engines, options: ReadQueriesOptions = {}): ReadQueries {
  const store = engines.readStore;
  const commandGroups = options.commandGroups ?? DEFAULT_COMMAND_GROUPS;
  const inboundGroups = options.inboundGroups ?? DEFAULT_INBOUND_GROUPS;

  async function waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + Math.min(Math.max(0, timeoutMs), MAX_WAIT_MS);
    const left = () => Math.max(0, deadline - Date.now());
    const { events, inbound, ...parts } = split(position);
    let commands = parts.commands;
    if (Object.keys(inbound).length > 0) {
      for (const group of inboundGroups) {
        if (!(await engines.log.waitForGroup(group, inbound, left()))) return false;
      }
      // Everything the inbound consumer wrote for those records is now in the commands topic.
      commands = mergePositions(await engines.log.endPosition([TOPICS.commands]), commands);
    }
    let target: Position = events;
    if (Object.keys(commands).length > 0) {
      for (const group of commandGroups) {
        if (!(await engines.log.waitForGroup(group, commands, left()))) return false;
      }
      // Everything the command consumers wrote for those commands is now in the events topic.
      target = mergePositions(await engines.log.endPosition([TOPICS.events]), events);
    }
    if (Object.keys(target).length === 0) return true;
    return await engines.log.waitForGroup(PROJECTIONS_GROUP, target, left());
  }

  return {
    async card(tenantId, cardId): Promise<CardRef | null> {
      const c = owned(await store.get(CARDS, { id: cardId }), tenantId);
      if (!c) return null;
      return {
        id: c.id as string,
        tenantId: c.tenantId as string,
        customerId: c.customerId as string,
        brand: c.brand as string,
        bin: c.bin as string,
        last4: c.last4 as string,
        expMonth: c.expMonth as number,
        expYear: c.expYear as number,
        fingerprint: c.fingerprint as string,
      };
    },
    async bankAccount(tenantId, bankAccountId): Promise<BankAccountRef | null> {
      const account = owned(await store.get(BANK_ACCOUNTS, { id: bankAccountId }), tenantId);
      if (!account) return null;
      const updates = await store.query(BANK_ACCOUNT_UPDATES, { pk: bankAccountId, limit: MAX_QUERY_LIMIT });
      const b = bankAccountView(account, updates.items);
      return {
        id: b.id as string,
        tenantId: b.tenantId as string,
        ownerId: b.ownerId as string,
        routingNumber: b.routingNumber as string,
        last4: b.last4 as string,
        accountType: b.accountType as string,
        status: b.status as string,
      };
    },
    async payment(tenantId, paymentId): Promise<PaymentRef | null> {
      const p = owned(await store.get(PAYMENTS, { id: paymentId }), tenantId);
      if (!p) return null;
      return {
        id: p.id as string,
        tenantId: p.tenantId as string,
        state: p.state as unknown as PaymentState,
        version: p.v as number,
      };
    },
    async paymentIdForEscrow(tenantId, escrowId): Promise<string | null> {
      const e = owned(await store.get(ESCROWS, { id: escrowId }), tenantId);
      return e ? (e.paymentId as string) : null;
    },
    waitFor,
    async catchUp(timeoutMs: number): Promise<boolean> {
      const end = await engines.log.endPosition([TOPICS.events]);
      return await engines.log.waitForGroup(
        PROJECTIONS_GROUP,
        end,
        Math.min(Math.max(0, timeoutMs), MAX_WAIT_MS),
      );
    },
  };
}

/** `topic/partition` keys of a topic's partitions (for replay and audit). */
export function partitionKeys(topic: string, partitions: number): string[] {
  return Array.from({ length: partitions }, (_, p) => partitionKey(topic, p));
}
