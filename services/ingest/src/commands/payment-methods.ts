// Tokenization: a card or bank account becomes a token aggregate whose one event (version 1,
// genesis of its hash chain) holds the sealed number, the tenant-keyed fingerprint and what may
// be shown (brand, last four). Ingest is the only writer of these aggregates.
//
// Token ids: derived from (tenant, Idempotency-Key) when the caller sends a key, so a retry
// after a crash between the append and the stored response rebuilds the same token id and
// event id (the projection's versioned write ignores the repeat); random otherwise, because a
// token must not be derivable from the card (two customers may hold the same card, and an id
// computed from the number would tell them apart from nothing but the id).

import { randomUUID } from 'node:crypto';
import { deterministicId } from '@paystream/core';
import { NEW_CHAIN, sealOnto } from '@paystream/eventing';
import type { Payloads } from '@paystream/schemas';
import type { CreateBankAccountBody, CreateCardBody } from '../schemas.js';
import { checkBankAccount } from '../tokenize/bank-account.js';
import { checkCard } from '../tokenize/card.js';
import { bankAccountNumberAad, cardNumberAad } from '../tokenize/format.js';
import type { CommandDeps } from './deps.js';
import type { Caller, Prepared } from './plan.js';

function tokenId(prefix: string, tenantId: string, operation: string, key: string | null): string {
  return key === null
    ? deterministicId(prefix, randomUUID())
    : deterministicId(prefix, tenantId, operation, key);
}

export async function prepareCard(
  deps: CommandDeps,
  caller: Caller,
  body: CreateCardBody,
): Promise<Prepared> {
  const tenantId = caller.tenant.id;
  // checkCard validates the CVC and nothing downstream receives it.
  const card = checkCard(body, deps.engines.clock.nowMs());
  const fingerprint = await deps.engines.fingerprints.card(tenantId, card.digits);
  const operation = 'card.create';
  return {
    operation,
    resourceId: null,
    hashBody: { customerId: body.customerId, fingerprint, expMonth: body.expMonth, expYear: body.expYear },
    async run(key) {
      const cardId = tokenId('card', tenantId, operation, key);
      const sealed = await deps.engines.envelope.sealToString(card.digits, cardNumberAad(tenantId, cardId));
      const payload: Payloads['CardTokenized'] = {
        cardId,
        customerId: body.customerId,
        brand: card.brand,
        bin: card.bin,
        last4: card.last4,
        expMonth: body.expMonth,
        expYear: body.expYear,
        fingerprint,
        sealedNumber: sealed,
      };
      const { envelopes } = sealOnto(deps.engines.bus.codec, NEW_CHAIN, [
        {
          type: 'CardTokenized',
          payload,
          meta: {
            eventId: deterministicId('evt', cardId, '1'),
            aggregateId: cardId,
            tenantId,
            occurredAtMs: deps.engines.clock.nowMs(),
            causationId: null,
            correlationId: cardId,
          },
        },
      ]);
      return {
        envelopes,
        statusCode: 201,
        body: (position) => ({
          id: cardId,
          customerId: body.customerId,
          brand: card.brand,
          last4: card.last4,
          expMonth: body.expMonth,
          expYear: body.expYear,
          fingerprint,
          position,
        }),
      };
    },
  };
}

export async function prepareBankAccount(
  deps: CommandDeps,
  caller: Caller,
  body: CreateBankAccountBody,
): Promise<Prepared> {
  const tenantId = caller.tenant.id;
  const account = checkBankAccount(body.routingNumber, body.accountNumber);
  const fingerprint = await deps.engines.fingerprints.bankAccount(
    tenantId,
    account.routingNumber,
    account.accountDigits,
  );
  const holderType = body.holderType ?? 'individual';
  const operation = 'bank_account.create';
  return {
    operation,
    resourceId: null,
    hashBody: {
      ownerId: body.ownerId,
      routingNumber: body.routingNumber,
      fingerprint,
      accountType: body.accountType,
      holderName: body.holderName,
      holderType,
    },
    async run(key) {
      const bankAccountId = tokenId('ba', tenantId, operation, key);
      const sealed = await deps.engines.envelope.sealToString(
        account.accountDigits,
        bankAccountNumberAad(tenantId, bankAccountId),
      );
      const payload: Payloads['BankAccountTokenized'] = {
        bankAccountId,
        ownerId: body.ownerId,
        routingNumber: account.routingNumber,
        last4: account.last4,
        accountType: body.accountType,
        holderName: body.holderName,
        holderType,
        fingerprint,
        sealedAccountNumber: sealed,
      };
      const { envelopes } = sealOnto(deps.engines.bus.codec, NEW_CHAIN, [
        {
          type: 'BankAccountTokenized',
          payload,
          meta: {
            eventId: deterministicId('evt', bankAccountId, '1'),
            aggregateId: bankAccountId,
            tenantId,
            occurredAtMs: deps.engines.clock.nowMs(),
            causationId: null,
            correlationId: bankAccountId,
          },
        },
      ]);
      return {
        envelopes,
        statusCode: 201,
        body: (position) => ({
          id: bankAccountId,
          ownerId: body.ownerId,
          last4: account.last4,
          routingNumber: account.routingNumber,
          accountType: body.accountType,
          holderType,
          status: 'active',
          fingerprint,
          position,
        }),
      };
    },
  };
}
