// The demo's ACH side, driven the way an operator would: close the open submission windows now
// (POST /v1/ach/windows/close, what `paystream ach close-windows` does), then play the receiving
// bank: download a NACHA file we wrote, and send back one return file for it — an R01 return of
// its first entry and, when there is a second, a C05 notification of change — to
// POST /v1/ach/returns. The returned money waits for the next window, like any release.

import { nacha } from '@paystream/ach-batcher';
import type { DemoClient } from './demo-client.js';

/** One NACHA file a window close wrote for our tenant. */
export interface WrittenFile {
  readonly fileId: string;
  readonly batchIds: readonly string[];
  readonly entryCount: number;
  readonly totalCreditMinor: number;
}

export interface ReturnsOutcome {
  readonly returns: { code: string; amountMinor: number; providerId: string }[];
  readonly notifications: { changeCode: string; changed: string[] }[];
}

const TENANT = 'default';

/** Closes every elapsed window and the open one; the files written for our tenant. */
export async function closeWindows(client: DemoClient): Promise<WrittenFile[] | null> {
  const r = await client.call('POST', '/v1/ach/windows/close', { body: {}, admin: true });
  if (r === null) return null;
  const windows = (r.body.windows ?? []) as { files?: (WrittenFile & { tenantId: string })[] }[];
  return windows
    .flatMap((w) => w.files ?? [])
    .filter((f) => f.tenantId === TENANT)
    .map(({ fileId, batchIds, entryCount, totalCreditMinor }) => ({
      fileId,
      batchIds,
      entryCount,
      totalCreditMinor,
    }));
}

function originalBatch(h: nacha.BatchHeader): nacha.OriginalBatchFacts {
  return {
    secCode: h.secCode as 'PPD' | 'CCD',
    companyName: h.companyName,
    companyIdentification: h.companyIdentification,
    companyEntryDescription: h.companyEntryDescription,
    effectiveEntryDate: h.effectiveEntryDate,
  };
}

/** The other account type's credit code (checking 22 ↔ savings 32): what a C05 corrects. */
function otherAccountType(code: nacha.TransactionCode): nacha.TransactionCode {
  return code === nacha.TX.checkingCredit ? nacha.TX.savingsCredit : nacha.TX.checkingCredit;
}

/** Plays the receiving bank for `file`: one return file back. Null when something went wrong. */
export async function sendReturnFile(client: DemoClient, file: WrittenFile): Promise<ReturnsOutcome | null> {
  const download = await client.call('GET', `/v1/ach/batches/${file.fileId}/file`, { admin: true });
  if (download === null) return null;
  const original = nacha.readNachaFile(download.text);
  const entries = original.batches.flatMap((b) =>
    b.entries.map((e) => ({ entry: e.entry, batch: b.header })),
  );
  const [first, second] = entries;
  if (first === undefined) {
    client.note({
      what: 'ACH return',
      status: null,
      code: null,
      message: `file ${file.fileId} has no entries`,
    });
    return null;
  }
  const now = new Date();
  const text = nacha.buildReturnFile({
    returningBankRoutingNumber: first.entry.rdfiRoutingNumber,
    returningBankName: 'DEMO RECEIVING BANK',
    odfiRoutingNumber: original.fileHeader.immediateDestination,
    odfiName: original.fileHeader.immediateDestinationName,
    fileCreationDate: now.toISOString().slice(0, 10),
    fileCreationTime: now.toISOString().slice(11, 16).replace(':', ''),
    fileIdModifier: 'A',
    returns: [{ original: first.entry, originalBatch: originalBatch(first.batch), returnCode: 'R01' }],
    corrections: second
      ? [
          {
            original: second.entry,
            originalBatch: originalBatch(second.batch),
            changeCode: 'C05',
            correction: { transactionCode: otherAccountType(second.entry.transactionCode) },
          },
        ]
      : [],
  });
  const r = await client.call('POST', '/v1/ach/returns', { text, admin: true });
  if (r === null) return null;
  const applied = (r.body.applied ?? []) as { returnCode: string; amountMinor: number; providerId: string }[];
  const unknown = (r.body.unknown ?? []) as unknown[];
  const notifications = (r.body.notifications ?? []) as { changeCode: string; changed: string[] }[];
  if (applied.length !== 1 || unknown.length > 0 || notifications.length !== (second ? 1 : 0)) {
    client.note({
      what: 'POST /v1/ach/returns',
      status: r.status,
      code: null,
      message: `expected 1 return and ${second ? 1 : 0} notification applied: ${r.text.slice(0, 300)}`,
    });
  }
  return {
    returns: applied.map((a) => ({
      code: a.returnCode,
      amountMinor: a.amountMinor,
      providerId: a.providerId,
    })),
    notifications: notifications.map((n) => ({ changeCode: n.changeCode, changed: n.changed })),
  };
}
