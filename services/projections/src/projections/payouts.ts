// payouts (PayoutScheduled), release_payouts (which payout carried each release), payout_files
// (AchBatchClosed: which file carried each payout), payout_settlements (the ledger entry that
// moved the payout from ach:in_transit to bank:operating, on the payout's aggregate) and
// payout_returns (AchReturnReceived): all facts (v = 1, first write wins). A payout's status is
// joined from them when read, since the events come from different aggregates and partitions.

import { ACCOUNTS } from '@paystream/ledger';
import type { Envelope } from '@paystream/schemas';
import {
  ACH_BATCHES,
  ACH_RETURNS,
  msKey,
  PAYOUT_FILES,
  PAYOUT_RETURNS,
  PAYOUT_SETTLEMENTS,
  PAYOUTS,
  RELEASE_PAYOUTS,
} from '../tables.js';
import { forEachInOrder, ignoreResult, isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export const payoutsProjection: Projection = {
  name: 'payouts',
  types: ['PayoutScheduled', 'AchBatchClosed', 'JournalEntryPosted', 'AchReturnReceived'],
  tables: [PAYOUTS, RELEASE_PAYOUTS, PAYOUT_FILES, PAYOUT_SETTLEMENTS, PAYOUT_RETURNS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (isType(e, 'PayoutScheduled')) {
      const d = e.payload;
      const created = work.putFact(PAYOUTS, {
        id: d.payoutId,
        tenantId: e.tenantId,
        provider: `${e.tenantId}|${d.providerId}`,
        sortKey: `${msKey(e.occurredAtMs)}|${d.payoutId}`,
        providerId: d.providerId,
        bankAccountId: d.bankAccountId,
        amountMinor: d.amountMinor,
        currency: d.currency,
        windowId: d.windowId,
        effectiveDate: d.effectiveDate,
        releaseIds: [...d.releaseIds],
        scheduledAtMs: e.occurredAtMs,
      });
      if (created instanceof Promise) return created.then((c) => putReleasePayouts(e, work, c));
      return putReleasePayouts(e, work, created);
    }
    if (isType(e, 'AchBatchClosed')) {
      const d = e.payload;
      return forEachInOrder(d.payoutIds, (payoutId) =>
        work.putFact(PAYOUT_FILES, {
          payoutId,
          tenantId: e.tenantId,
          batchId: d.batchId,
          fileId: d.fileId,
          closedAtMs: e.occurredAtMs,
        }),
      );
    }
    if (isType(e, 'JournalEntryPosted')) {
      const lines = e.payload.postings;
      const settles =
        lines.some((p) => p.account === ACCOUNTS.achInTransit && p.amountMinor > 0) &&
        lines.some((p) => p.account === ACCOUNTS.bankOperating && p.amountMinor < 0);
      // A settlement is posted on the payout's own aggregate; a return reversing a settled
      // payout moves money the other way (bank:operating debited) and does not match.
      if (!settles) return;
      return ignoreResult(
        work.putFact(PAYOUT_SETTLEMENTS, {
          payoutId: e.aggregateId,
          tenantId: e.tenantId,
          entryId: e.payload.entryId,
          settledAtMs: e.occurredAtMs,
        }),
      );
    }
    if (isType(e, 'AchReturnReceived')) {
      const d = e.payload;
      if (d.payoutId === null) return;
      return ignoreResult(
        work.putFact(PAYOUT_RETURNS, {
          payoutId: d.payoutId,
          tenantId: e.tenantId,
          returnId: d.returnId,
          returnCode: d.returnCode,
          description: d.description,
          amountMinor: d.amountMinor,
          currency: d.currency,
          receivedAtMs: e.occurredAtMs,
        }),
      );
    }
  },
};

/** Which payout carried each release, once the payout itself was new. */
function putReleasePayouts(e: Envelope<'PayoutScheduled'>, work: Work, created: boolean): Maybe<void> {
  if (!created) return;
  const d = e.payload;
  return forEachInOrder(d.releaseIds, (releaseId) =>
    work.putFact(RELEASE_PAYOUTS, {
      releaseId,
      tenantId: e.tenantId,
      payoutId: d.payoutId,
      payoutAmountMinor: d.amountMinor,
      releasesInPayout: d.releaseIds.length,
    }),
  );
}

/** ach_batches and ach_returns: one fact per closed file and per returned entry. */
export const achBatchesProjection: Projection = {
  name: 'ach_batches',
  types: ['AchBatchClosed', 'AchReturnReceived'],
  tables: [ACH_BATCHES, ACH_RETURNS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (isType(e, 'AchBatchClosed')) {
      const d = e.payload;
      return ignoreResult(
        work.putFact(ACH_BATCHES, {
          id: d.batchId,
          tenantId: e.tenantId,
          sortKey: `${msKey(e.occurredAtMs)}|${d.batchId}`,
          fileId: d.fileId,
          windowId: d.windowId,
          objectKey: d.objectKey,
          entryCount: d.entryCount,
          totalCreditMinor: d.totalCreditMinor,
          totalDebitMinor: d.totalDebitMinor,
          currency: d.currency,
          payoutIds: [...d.payoutIds],
          fileSha256: d.fileSha256,
          closedAtMs: e.occurredAtMs,
        }),
      );
    }
    if (isType(e, 'AchReturnReceived')) {
      const d = e.payload;
      return ignoreResult(
        work.putFact(ACH_RETURNS, {
          id: d.returnId,
          tenantId: e.tenantId,
          sortKey: `${msKey(e.occurredAtMs)}|${d.returnId}`,
          payoutId: d.payoutId,
          traceNumber: d.traceNumber,
          returnCode: d.returnCode,
          description: d.description,
          amountMinor: d.amountMinor,
          currency: d.currency,
          bankAccountId: d.bankAccountId,
          receivedAtMs: e.occurredAtMs,
        }),
      );
    }
  },
};
