// Applying a return / NOC file. Each return of one of our payouts, found by its original trace
// number, becomes on the payout's chain:
//   AchReturnReceived
//   JournalEntryPosted reversing the payout back to the provider's payable:
//     still in transit:  ach:in_transit +X   provider:{id}:payable −X
//     already settled:   bank:operating +X   provider:{id}:payable −X   (the money came back)
//   BankAccountUpdated when the code makes the account unusable (closed / invalid / frozen) or
//     revokes authorization (unauthorized); codes needing a human freeze it.
// The returned amount goes back into the pending pool (funds available again): it is paid out
// in the next window to the provider's active account, if they have one.
// A NOC (COR entry) updates the account the payout went to: BankAccountUpdated with the
// corrected routing number / account type / account number (sealed at once, last four only).
// Anything not matched — unknown trace, another tenant's payout, a debit, an amount that
// differs — is reported in `unknown` with the reason, never dropped.

import { deterministicId, PaystreamError } from '@paystream/core';
import { bankAccountAad } from '@paystream/keys';
import { credit, debit, journalEntry, ACCOUNTS as LEDGER, providerPayable } from '@paystream/ledger';
import type { Engines, Logger } from '@paystream/runtime';
import { type AccountEffect, lookupReturnCode } from '../nacha/return-codes.js';
import { type CorrectionItem, parseReturnFile, type ReturnItem } from '../nacha/returns.js';
import type { Outbox, ReturnsCommand } from './control.js';
import { Plan } from './plan.js';
import { type AccountChange, mergeAccount } from './projection.js';
import {
  ACCOUNTS,
  type AccountRow,
  accountVersion,
  PAYOUTS,
  type PayoutRow,
  RELEASES,
  RETURN_FILES,
  type ReleaseRow,
} from './state.js';

type VersionFor = (bankAccountId: string, env: { occurredAtMs: number; aggregateVersion: number }) => number;

export interface ReturnsDeps {
  readonly engines: Engines;
  readonly logger: Logger;
}

export function returnFileAad(fileSha256: string): string {
  return `paystream:ach-return-file:v1:${fileSha256}`;
}

const STATUS_FOR: Readonly<Record<AccountEffect, string | null>> = {
  unchanged: null,
  closed: 'closed',
  invalid: 'invalid',
  frozen: 'frozen',
  authorization_revoked: 'unauthorized',
  needs_review: 'frozen',
};

export interface AppliedReturn {
  traceNumber: string;
  payoutId: string;
  providerId: string;
  returnCode: string;
  description: string;
  amountMinor: number;
  currency: string;
  bankAccountId: string;
  /** What the payout was when the return arrived. */
  reversedFrom: 'in_transit' | 'settled' | 'returned';
  accountStatus: string | null;
  duplicate: boolean;
}

export interface UnknownItem {
  traceNumber: string;
  kind: 'return' | 'noc' | 'entry';
  code: string | null;
  line: number;
  reason: string;
}

export interface AppliedNotification {
  traceNumber: string;
  payoutId: string;
  bankAccountId: string;
  changeCode: string;
  description: string;
  changed: string[];
  notApplied: string[];
}

export interface ReturnsSummary {
  fileSha256: string;
  applied: AppliedReturn[];
  unknown: UnknownItem[];
  notifications: AppliedNotification[];
}

export async function planReturns(deps: ReturnsDeps, cmd: ReturnsCommand): Promise<Outbox> {
  const { engines } = deps;
  const store = engines.readStore;
  const plan = new Plan(engines.bus, cmd.commandId);
  const sealed = await engines.objects.get(cmd.objectKey);
  if (!sealed)
    throw new PaystreamError('ach_return_file_missing', 'the sealed return file is not in the object store');
  const text = (await engines.envelope.open(sealed, returnFileAad(cmd.fileSha256))).toString('ascii');
  const parsed = parseReturnFile(text);
  const at = cmd.requestedAtMs;

  const summary: ReturnsSummary = { fileSha256: cmd.fileSha256, applied: [], unknown: [], notifications: [] };
  // Payouts and accounts this plan has already changed (a file may touch one twice).
  const payouts = new Map<string, PayoutRow>();
  const accounts = new Map<string, AccountRow>();

  const findPayout = async (trace: string): Promise<PayoutRow | null> => {
    const page = await store.query(PAYOUTS, { index: 'by_trace', pk: trace, limit: 1, descending: true });
    const found = (page.items[0] as unknown as PayoutRow | undefined) ?? null;
    if (!found || found.tenantId !== cmd.tenantId) return null;
    return payouts.get(found.payoutId) ?? found;
  };
  // Account versions only go up within a file, even when two payouts' chains disagree.
  const lastVersion = new Map<string, number>();
  const versionFor = (bankAccountId: string, env: { occurredAtMs: number; aggregateVersion: number }) => {
    const v = Math.max(
      accountVersion(env.occurredAtMs, env.aggregateVersion),
      (lastVersion.get(bankAccountId) ?? 0) + 1,
    );
    lastVersion.set(bankAccountId, v);
    return v;
  };
  const accountOf = async (id: string): Promise<AccountRow | null> =>
    accounts.get(id) ?? ((await store.get(ACCOUNTS, { bankAccountId: id })) as unknown as AccountRow | null);

  for (const u of parsed.unexpected) {
    summary.unknown.push({
      traceNumber: u.traceNumber,
      kind: 'entry',
      code: null,
      line: u.line,
      reason: u.reason,
    });
  }

  for (const r of parsed.returns) {
    const payout = await findPayout(r.originalTraceNumber);
    const unknown = (reason: string) =>
      summary.unknown.push({
        traceNumber: r.originalTraceNumber,
        kind: 'return',
        code: r.returnCode,
        line: r.line,
        reason,
      });
    if (!payout) {
      unknown('no payout of this tenant has this original trace number');
      continue;
    }
    if (!r.originalWasCredit) {
      unknown('the returned entry is a debit; Paystream originates credits only');
      continue;
    }
    if (r.amountCents !== payout.amountMinor) {
      unknown(`the returned amount ${r.amountCents} differs from the payout amount ${payout.amountMinor}`);
      continue;
    }
    const base = {
      traceNumber: r.originalTraceNumber,
      payoutId: payout.payoutId,
      providerId: payout.providerId,
      returnCode: r.returnCode,
      description: r.reason.title,
      amountMinor: payout.amountMinor,
      currency: payout.currency,
      bankAccountId: payout.bankAccountId,
    };
    if (payout.status === 'returned') {
      summary.applied.push({ ...base, reversedFrom: 'returned', accountStatus: null, duplicate: true });
      continue;
    }
    const applied = await applyReturn(plan, payout, r, at, await accountOf(payout.bankAccountId), versionFor);
    payouts.set(payout.payoutId, applied.payout);
    if (applied.account) accounts.set(applied.account.bankAccountId, applied.account);
    summary.applied.push({
      ...base,
      reversedFrom: payout.status,
      accountStatus: applied.account?.status ?? null,
      duplicate: false,
    });
  }

  for (const c of parsed.corrections) {
    const payout = await findPayout(c.originalTraceNumber);
    const account = payout ? await accountOf(payout.bankAccountId) : null;
    if (!payout || !account) {
      summary.unknown.push({
        traceNumber: c.originalTraceNumber,
        kind: 'noc',
        code: c.changeCode,
        line: c.line,
        reason: payout
          ? 'the payout’s bank account is not known'
          : 'no payout of this tenant has this original trace number',
      });
      continue;
    }
    const applied = await applyCorrection(deps, plan, payout, account, c, at, versionFor);
    payouts.set(payout.payoutId, applied.payout);
    accounts.set(account.bankAccountId, applied.account);
    summary.notifications.push({
      traceNumber: c.originalTraceNumber,
      payoutId: payout.payoutId,
      bankAccountId: account.bankAccountId,
      changeCode: c.changeCode,
      description: c.change.title,
      changed: applied.changed,
      notApplied: applied.notApplied,
    });
  }

  plan.put(
    RETURN_FILES,
    { fileSha256: `${cmd.tenantId}/${cmd.fileSha256}`, commandId: cmd.commandId, tenantId: cmd.tenantId },
    1,
  );
  return {
    v: 1,
    commandId: cmd.commandId,
    kind: 'returns',
    records: plan.records,
    ops: plan.ops,
    result: JSON.parse(JSON.stringify(summary)),
  };
}

async function applyReturn(
  plan: Plan,
  payout: PayoutRow,
  r: ReturnItem,
  atMs: number,
  account: AccountRow | null,
  versionFor: VersionFor,
): Promise<{ payout: PayoutRow; account: AccountRow | null }> {
  const returnId = deterministicId('achret', payout.payoutId, r.returnCode, r.returnTraceNumber);
  const reversedFrom = payout.status === 'settled' ? LEDGER.bankOperating : LEDGER.achInTransit;
  const entryEventId = deterministicId('evt', returnId, 'reversed');
  const entry = journalEntry({
    sourceEventId: entryEventId,
    description: `ACH return ${r.returnCode} (${r.reason.title}) of payout ${payout.payoutId}`,
    postings: [
      debit(reversedFrom, payout.amountMinor, payout.currency),
      credit(providerPayable(payout.providerId), payout.amountMinor, payout.currency),
    ],
  });
  const info = lookupReturnCode(r.returnCode);
  const newStatus = info ? STATUS_FOR[info.account] : null;
  const events: Parameters<Plan['emit']>[4][number][] = [
    {
      type: 'AchReturnReceived',
      eventId: deterministicId('evt', returnId, 'received'),
      payload: {
        returnId,
        payoutId: payout.payoutId,
        traceNumber: r.originalTraceNumber,
        returnCode: r.returnCode,
        description: r.reason.title,
        amountMinor: payout.amountMinor,
        currency: payout.currency,
        bankAccountId: payout.bankAccountId,
      },
    },
    {
      type: 'JournalEntryPosted',
      eventId: entryEventId,
      payload: { ...entry, postings: [...entry.postings] },
    },
  ];
  const change: AccountChange | null =
    newStatus && account
      ? { status: newStatus, routingNumber: null, accountType: null, last4: null, sealedAccountNumber: null }
      : null;
  if (change) {
    events.push({
      type: 'BankAccountUpdated',
      eventId: deterministicId('evt', returnId, 'account'),
      payload: {
        bankAccountId: payout.bankAccountId,
        status: change.status,
        reason: `ACH return ${r.returnCode}: ${r.reason.title}`,
        routingNumber: null,
        accountType: null,
        last4: null,
        sealedAccountNumber: null,
      },
    });
  }
  const { head, envelopes } = plan.emit(
    payout.payoutId,
    payout.tenantId,
    { version: payout.chainVersion, hash: payout.chainHash },
    atMs,
    events,
  );
  const { unsettled: _wasUnsettled, ...rest } = payout;
  const updated: PayoutRow = {
    ...rest,
    status: 'returned',
    chainVersion: head.version,
    chainHash: head.hash,
  };
  plan.put(PAYOUTS, updated, head.version);
  // The money is available again: it waits for the next window like any release.
  const release: ReleaseRow = {
    releaseId: deterministicId('repay', returnId),
    tenantId: payout.tenantId,
    providerId: payout.providerId,
    amountMinor: payout.amountMinor,
    currency: payout.currency,
    releasedAtMs: atMs,
    pendingCurrency: payout.currency,
  };
  plan.put(RELEASES, release, 1);
  let newAccount: AccountRow | null = null;
  if (change && account) {
    newAccount = mergeAccount(account, change);
    const env = envelopes.at(-1)!;
    plan.put(ACCOUNTS, newAccount, versionFor(newAccount.bankAccountId, env));
  }
  return { payout: updated, account: newAccount };
}

async function applyCorrection(
  deps: ReturnsDeps,
  plan: Plan,
  payout: PayoutRow,
  account: AccountRow,
  c: CorrectionItem,
  atMs: number,
  versionFor: VersionFor,
): Promise<{ payout: PayoutRow; account: AccountRow; changed: string[]; notApplied: string[] }> {
  const changed: string[] = [];
  const notApplied: string[] = [];
  const fix = c.correction;
  let sealedAccountNumber: string | null = null;
  let last4: string | null = null;
  if (fix.accountNumber !== undefined) {
    // Sealed at once; the plaintext never leaves this scope.
    sealedAccountNumber = await deps.engines.envelope.sealToString(
      fix.accountNumber,
      bankAccountAad(account.tenantId, account.bankAccountId),
    );
    last4 = fix.accountNumber.slice(-4);
    changed.push('accountNumber');
  }
  const routingNumber = fix.routingNumber ?? null;
  if (routingNumber) changed.push('routingNumber');
  const accountType =
    fix.accountType ??
    (fix.transactionCode !== undefined ? (fix.transactionCode < 30 ? 'checking' : 'savings') : null);
  if (accountType) changed.push('accountType');
  if (fix.name !== undefined) notApplied.push('name (BankAccountUpdated has no holder-name field)');
  if (fix.identificationNumber !== undefined) notApplied.push('identificationNumber');
  const change: AccountChange = {
    status: account.status,
    routingNumber,
    accountType,
    last4,
    sealedAccountNumber,
  };
  const nocId = deterministicId('achnoc', payout.payoutId, c.changeCode, String(c.line), plan.commandId);
  const { head, envelopes } = plan.emit(
    payout.payoutId,
    payout.tenantId,
    { version: payout.chainVersion, hash: payout.chainHash },
    atMs,
    [
      {
        type: 'BankAccountUpdated',
        eventId: deterministicId('evt', nocId, 'account'),
        payload: {
          bankAccountId: account.bankAccountId,
          status: account.status,
          reason: `ACH notification of change ${c.changeCode}: ${c.change.title}`,
          routingNumber,
          accountType,
          last4,
          sealedAccountNumber,
        },
      },
    ],
  );
  const updatedPayout: PayoutRow = { ...payout, chainVersion: head.version, chainHash: head.hash };
  plan.put(PAYOUTS, updatedPayout, head.version);
  const updated = mergeAccount(account, change);
  const env = envelopes.at(-1)!;
  plan.put(ACCOUNTS, updated, versionFor(updated.bankAccountId, env));
  return { payout: updatedPayout, account: updated, changed, notApplied };
}
