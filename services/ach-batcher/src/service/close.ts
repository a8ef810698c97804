// Closing windows: the pending releases of each window become one payout per provider and
// currency (netting.ts), one NACHA file per window and tenant (sealed in the object store), and
// the events PayoutScheduled + JournalEntryPosted (payable → ach:in_transit) per payout and
// AchBatchClosed per NACHA batch. Then payouts whose effective date has come are settled
// (ach:in_transit → bank:operating). Planned only: the processor stores the plan, then applies it.
//
// Ledger per payout (debit positive, credit negative):
//   scheduled (file written):        provider:{id}:payable +X   ach:in_transit −X
//   settled (effective date, ACH_SETTLE_AT local time):   ach:in_transit +X   bank:operating −X
// Settlement is time-driven rather than bank-confirmed because the ODFI debits the settlement
// account on the effective date; a return after that reverses from bank:operating (returns.ts).

import { CURRENCY_EXPONENTS, deterministicId, PaystreamError } from '@paystream/core';
import { NEW_CHAIN } from '@paystream/eventing';
import { credit, debit, journalEntry, ACCOUNTS as LEDGER, providerPayable } from '@paystream/ledger';
import type { Engines, Logger } from '@paystream/runtime';
import { nextBankingDay } from '../calendar/banking-days.js';
import {
  localInstant,
  nextWindow,
  type SubmissionWindow,
  windowsClosingBetween,
  windowsOn,
} from '../calendar/windows.js';
import { netReleases, type Payout, type Release } from '../domain/netting.js';
import {
  buildNachaFile,
  fileCreationStamp,
  fileIdModifierFor,
  MAX_TRACE_SEQUENCE,
  MODIFIER_COUNT,
  type NachaBatchInput,
  type NachaEntryInput,
} from '../nacha/file.js';
import { activeAccountOf, nachaName, openAccountNumber } from './accounts.js';
import type { AchConfig } from './config.js';
import type { CloseCommand, Outbox } from './control.js';
import { fileDigest } from './digest.js';
import { Plan } from './plan.js';
import {
  type AccountRow,
  BATCHES,
  CONTROL_STATE,
  type ControlStateRow,
  FILES,
  PAYOUTS,
  type PayoutRow,
  queryAll,
  RELEASES,
  type ReleaseRow,
  WINDOWS,
} from './state.js';

/** A first close, or one after a long outage, looks back at most this far for elapsed windows. */
export const LOOKBACK_MS = 7 * 86_400_000;
/** Bound on releases taken into one window; more stay pending for the next one. */
export const MAX_RELEASES_PER_WINDOW = 1_000_000;
/** Bound on payouts settled by one command; the rest settle on the next. */
export const MAX_SETTLEMENTS_PER_COMMAND = 100_000;
/** Bound on already-closed windows skipped when looking for the open one. */
const MAX_WINDOWS_SKIPPED = 64;
/** ACH moves US dollars only; releases in other currencies stay available and are reported. */
export const ACH_CURRENCY = 'USD';

export interface CloseDeps {
  readonly engines: Engines;
  readonly config: AchConfig;
  readonly logger: Logger;
}

export interface UnpaidReport {
  tenantId: string;
  providerId: string;
  currency: string;
  amountMinor: number;
  releases: number;
  reason: 'no_active_bank_account' | 'currency_not_supported_by_ach' | 'bank_account_unreadable';
}

interface PayoutPlan {
  readonly payout: Payout;
  readonly tenantId: string;
  readonly providerId: string;
  readonly account: AccountRow;
  readonly secCode: 'PPD' | 'CCD';
  readonly entry: NachaEntryInput;
}

const SEP = '\u001f';

export function initialControlState(): ControlStateRow {
  return { name: 'control', revision: 0, nextTraceSequence: 1, lastCutoffMs: null, lastWindowId: null };
}

function windowOrdinal(w: SubmissionWindow, config: AchConfig): number {
  return windowsOn(w.bankingDate, config.windows).findIndex((x) => x.id === w.id);
}

export async function planClose(deps: CloseDeps, cmd: CloseCommand): Promise<Outbox> {
  const { engines, config } = deps;
  const store = engines.readStore;
  const plan = new Plan(engines.bus, cmd.commandId);
  const state =
    ((await store.get(CONTROL_STATE, { name: 'control' })) as unknown as ControlStateRow | null) ??
    initialControlState();
  let nextTrace = state.nextTraceSequence;
  let lastCutoffMs = state.lastCutoffMs;
  let lastWindowId = state.lastWindowId;
  // A tenant admin's close touches only its tenant: its releases, its windows (keyed
  // `<windowId>#<tenantId>`), its settlements; the platform's progress (lastCutoffMs) is left
  // for the timer, which later closes the same calendar windows for everyone else.
  const scope = cmd.tenantId ?? null;
  const isClosed = async (w: SubmissionWindow): Promise<boolean> =>
    (await store.get(WINDOWS, { windowId: w.id })) !== null ||
    (scope !== null && (await store.get(WINDOWS, { windowId: closeKey(w, scope) })) !== null);
  const tenantFiles = { ...(state.tenantFiles ?? { date: '', count: 0 }) };

  const from = Math.max(state.lastCutoffMs ?? Number.NEGATIVE_INFINITY, cmd.upToMs - LOOKBACK_MS);
  const targets: { window: SubmissionWindow; cutoffMs: number; early: boolean }[] = windowsClosingBetween(
    from,
    cmd.upToMs,
    config.windows,
  ).map((window) => ({ window, cutoffMs: window.closesAtMs, early: false }));
  if (cmd.includeOpen) {
    // The window open at upToMs, or — when an earlier early close already took it — the next one.
    let open = nextWindow(cmd.upToMs, config.windows);
    for (let i = 0; i < MAX_WINDOWS_SKIPPED && (await isClosed(open)); i++) {
      open = nextWindow(open.closesAtMs, config.windows);
    }
    targets.push({ window: open, cutoffMs: cmd.upToMs, early: true });
  }

  const claimed = new Set<string>();
  const windows: Record<string, unknown>[] = [];
  const unpaid = new Map<string, UnpaidReport>();
  const accounts = new Map<string, AccountRow | null>();

  for (const t of targets) {
    if (await isClosed(t.window)) {
      windows.push({ windowId: t.window.id, status: 'already_closed' });
      continue;
    }
    const r = await closeWindow(deps, plan, t, { claimed, unpaid, accounts, nextTrace, scope, tenantFiles });
    nextTrace = r.nextTrace;
    windows.push(r.summary);
    if (scope === null && (lastCutoffMs === null || t.cutoffMs > lastCutoffMs)) {
      lastCutoffMs = t.cutoffMs;
      lastWindowId = t.window.id;
    }
  }
  // Funds in currencies ACH cannot move stay available; say so rather than stay silent.
  for (const currency of Object.keys(CURRENCY_EXPONENTS)) {
    if (currency === ACH_CURRENCY) continue;
    const page = await store.query(RELEASES, {
      index: 'pending',
      pk: currency,
      range: { lte: cmd.upToMs },
      limit: 1000,
    });
    for (const item of page.items) {
      const r = item as unknown as ReleaseRow;
      if (scope === null || r.tenantId === scope) addUnpaid(unpaid, r, 'currency_not_supported_by_ach');
    }
  }

  const settled = await planSettlements(deps, plan, cmd.upToMs, scope);

  const tenantFilesChanged =
    tenantFiles.date !== (state.tenantFiles?.date ?? '') ||
    tenantFiles.count !== (state.tenantFiles?.count ?? 0);
  if (
    nextTrace !== state.nextTraceSequence ||
    lastCutoffMs !== state.lastCutoffMs ||
    lastWindowId !== state.lastWindowId ||
    tenantFilesChanged
  ) {
    const row: ControlStateRow = {
      name: 'control',
      revision: state.revision + 1,
      nextTraceSequence: nextTrace,
      lastCutoffMs,
      lastWindowId,
      ...(tenantFiles.count > 0 ? { tenantFiles } : {}),
    };
    plan.put(CONTROL_STATE, row, row.revision);
  }
  const unpaidList = [...unpaid.values()].sort((a, b) =>
    `${a.tenantId}${SEP}${a.providerId}${SEP}${a.currency}` <
    `${b.tenantId}${SEP}${b.providerId}${SEP}${b.currency}`
      ? -1
      : 1,
  );
  if (unpaidList.length > 0) {
    deps.logger.warn(
      { providers: unpaidList.length, commandId: cmd.commandId },
      'released funds not paid out (no active bank account or not USD); they stay available',
    );
  }
  return {
    v: 1,
    commandId: cmd.commandId,
    kind: 'close',
    records: plan.records,
    ops: plan.ops,
    result: JSON.parse(
      JSON.stringify({
        commandId: cmd.commandId,
        upToMs: cmd.upToMs,
        windows,
        settledPayouts: settled,
        unpaid: unpaidList.slice(0, 1000),
        unpaidCount: unpaidList.length,
      }),
    ),
  };
}

function addUnpaid(unpaid: Map<string, UnpaidReport>, r: ReleaseRow, reason: UnpaidReport['reason']): void {
  const key = [r.tenantId, r.providerId, r.currency, reason].join(SEP);
  const u = unpaid.get(key);
  if (u) {
    u.amountMinor += r.amountMinor;
    u.releases += 1;
  } else {
    unpaid.set(key, {
      tenantId: r.tenantId,
      providerId: r.providerId,
      currency: r.currency,
      amountMinor: r.amountMinor,
      releases: 1,
      reason,
    });
  }
}

async function closeWindow(
  deps: CloseDeps,
  plan: Plan,
  target: { window: SubmissionWindow; cutoffMs: number; early: boolean },
  acc: {
    claimed: Set<string>;
    unpaid: Map<string, UnpaidReport>;
    accounts: Map<string, AccountRow | null>;
    nextTrace: number;
    /** The tenant whose admin asked, or null for every tenant. */
    scope: string | null;
    /** Files made by tenant closes on one date: their file ID modifiers count down from the last. */
    tenantFiles: { date: string; count: number };
  },
): Promise<{ summary: Record<string, unknown>; nextTrace: number }> {
  const { engines, config, logger } = deps;
  const store = engines.readStore;
  const { window, cutoffMs } = target;
  const { scope } = acc;
  const candidates = (
    (await queryAll(store, RELEASES, {
      index: 'pending',
      pk: ACH_CURRENCY,
      range: { lte: cutoffMs - 1 },
      max: MAX_RELEASES_PER_WINDOW,
    })) as unknown as ReleaseRow[]
  ).filter((r) => !acc.claimed.has(r.releaseId) && (scope === null || r.tenantId === scope));

  const payable: Release[] = [];
  const byKey = new Map<string, { tenantId: string; providerId: string; account: AccountRow }>();
  for (const r of candidates) {
    const key = `${r.tenantId}${SEP}${r.providerId}`;
    let account = acc.accounts.get(key);
    if (account === undefined) {
      account = await activeAccountOf(store, r.tenantId, r.providerId);
      acc.accounts.set(key, account);
    }
    if (account === null) {
      addUnpaid(acc.unpaid, r, 'no_active_bank_account');
      continue;
    }
    byKey.set(key, { tenantId: r.tenantId, providerId: r.providerId, account });
    payable.push({
      releaseId: r.releaseId,
      providerId: key,
      amountMinor: r.amountMinor,
      currency: r.currency,
      releasedAtMs: r.releasedAtMs,
    });
  }
  // A tenant close nets under its own key so its payout ids never meet the platform close's.
  const netted = netReleases(payable, {
    window: { ...window, id: scope === null ? window.id : closeKey(window, scope), closesAtMs: cutoffMs },
    nextDayEffectiveEntryDate: nextBankingDay(window.bankingDate),
    sameDayEntryLimitCents: config.windows.sameDayEntryLimitCents,
  });

  // Open each account number once, only now, only in memory.
  const plans: PayoutPlan[] = [];
  for (const payout of netted.payouts) {
    const who = byKey.get(payout.providerId);
    if (!who) throw new PaystreamError('ach_internal', 'netting returned an unknown provider');
    let accountNumber: string;
    try {
      accountNumber = await openAccountNumber(engines.envelope, who.account);
    } catch (err) {
      logger.error(
        { err: err instanceof PaystreamError ? err.code : 'error', bankAccountId: who.account.bankAccountId },
        'cannot open the sealed account number; payout left available',
      );
      for (const id of payout.releaseIds) {
        const r = candidates.find((c) => c.releaseId === id);
        if (r) addUnpaid(acc.unpaid, r, 'bank_account_unreadable');
      }
      continue;
    }
    const secCode = who.account.holderType === 'business' ? 'CCD' : 'PPD';
    plans.push({
      payout,
      tenantId: who.tenantId,
      providerId: who.providerId,
      account: who.account,
      secCode,
      entry: {
        transactionCode: who.account.accountType === 'savings' ? 32 : 22,
        rdfiRoutingNumber: who.account.routingNumber,
        dfiAccountNumber: accountNumber,
        amountCents: payout.amountMinor,
        identificationNumber: payout.payoutId.slice(payout.payoutId.indexOf('_') + 1).slice(0, 15),
        receiverName: nachaName(who.account.holderName),
      },
    });
  }

  let nextTrace = acc.nextTrace;
  const files: Record<string, unknown>[] = [];
  const tenants = [...new Set(plans.map((p) => p.tenantId))].sort();
  const ordinal = windowOrdinal(window, config);
  const windowsPerDay = config.windows.sameDayDeadlines.length + 1;
  const stamp = fileCreationStamp(cutoffMs, config.windows.timeZone);
  const settleAtFor = (date: string) => localInstant(date, config.settleAt, config.windows.timeZone);

  for (const [tenantIndex, tenantId] of tenants.entries()) {
    const mine = plans.filter((p) => p.tenantId === tenantId);
    const fileId =
      scope === null
        ? deterministicId('achfile', window.id, tenantId)
        : deterministicId('achfile', window.id, tenantId, 'tenant-close');
    // One NACHA batch per SEC code and effective date (the builder splits at the size limit).
    const groups = new Map<string, { secCode: 'PPD' | 'CCD'; date: string; plans: PayoutPlan[] }>();
    for (const p of mine) {
      const k = `${p.secCode}${SEP}${p.payout.effectiveEntryDate}`;
      let g = groups.get(k);
      if (!g) {
        g = { secCode: p.secCode, date: p.payout.effectiveEntryDate, plans: [] };
        groups.set(k, g);
      }
      g.plans.push(p);
    }
    const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
    const inputs: NachaBatchInput[] = ordered.map((g) => ({
      secCode: g.secCode,
      companyEntryDescription: config.companyEntryDescription,
      effectiveEntryDate: g.date,
      entries: g.plans.map((p) => p.entry),
    }));
    if (nextTrace + mine.length - 1 > MAX_TRACE_SEQUENCE) nextTrace = 1;
    const built = buildNachaFile({
      originator: config.originator,
      fileCreationDate: stamp.date,
      fileCreationTime: stamp.time,
      fileIdModifier: fileIdModifierFor(
        scope === null ? ordinal + windowsPerDay * tenantIndex : tenantFileIndex(acc.tenantFiles, stamp.date),
      ),
      batches: inputs,
      maxEntriesPerBatch: config.maxEntriesPerBatch,
      firstTraceSequence: nextTrace,
    });
    nextTrace += mine.length;

    const text = Buffer.from(built.text, 'ascii');
    // An HMAC, not a plain SHA-256: the digest reaches read models (see digest.ts).
    const fileSha256 = await fileDigest(engines, text);
    // Content-addressed: a duplicate attempt can never overwrite the file the events name.
    const objectKey = `ach/files/${fileId}/${fileSha256.slice(0, 32)}.nacha.sealed`;
    const sealed = await engines.envelope.seal(text, achFileAad(fileId));
    await engines.objects.put(objectKey, sealed, 'application/octet-stream');

    const batchIds: string[] = [];
    let fileEntries = 0;
    let fileCreditMinor = 0;
    for (const b of built.batches) {
      const batchId = deterministicId('achbatch', fileId, String(b.header.batchNumber));
      batchIds.push(batchId);
      const payoutIds: string[] = [];
      for (const e of b.entries) {
        const p = ordered[e.inputBatchIndex]?.plans[e.inputEntryIndex];
        if (!p) throw new PaystreamError('ach_internal', 'built entry does not map back to a payout');
        payoutIds.push(p.payout.payoutId);
        const scheduledId = deterministicId('evt', p.payout.payoutId, 'scheduled');
        const entry = journalEntry({
          sourceEventId: scheduledId,
          description: `ACH payout ${p.payout.payoutId} (window ${window.id})`,
          postings: [
            debit(providerPayable(p.providerId), p.payout.amountMinor, p.payout.currency),
            credit(LEDGER.achInTransit, p.payout.amountMinor, p.payout.currency),
          ],
        });
        const { head } = plan.emit(p.payout.payoutId, p.tenantId, NEW_CHAIN, cutoffMs, [
          {
            type: 'PayoutScheduled',
            eventId: scheduledId,
            payload: {
              payoutId: p.payout.payoutId,
              providerId: p.providerId,
              bankAccountId: p.account.bankAccountId,
              amountMinor: p.payout.amountMinor,
              currency: p.payout.currency,
              windowId: window.id,
              effectiveDate: p.payout.effectiveEntryDate,
              releaseIds: [...p.payout.releaseIds],
            },
          },
          {
            type: 'JournalEntryPosted',
            eventId: deterministicId('evt', p.payout.payoutId, 'payout-posted'),
            payload: { ...entry, postings: [...entry.postings] },
          },
        ]);
        const row: PayoutRow = {
          payoutId: p.payout.payoutId,
          tenantId: p.tenantId,
          providerId: p.providerId,
          bankAccountId: p.account.bankAccountId,
          amountMinor: p.payout.amountMinor,
          currency: p.payout.currency,
          windowId: window.id,
          fileId,
          batchId,
          traceNumber: e.entry.traceNumber,
          effectiveDate: p.payout.effectiveEntryDate,
          closedAtMs: cutoffMs,
          settleAtMs: settleAtFor(p.payout.effectiveEntryDate),
          status: 'in_transit',
          unsettled: 'in_transit',
          chainVersion: head.version,
          chainHash: head.hash,
        };
        plan.put(PAYOUTS, row, head.version);
        plan.ops.push({
          op: 'claim',
          windowId: scope === null ? window.id : closeKey(window, scope),
          bankAccountId: p.account.bankAccountId,
          releaseIds: [...p.payout.releaseIds],
        });
        for (const id of p.payout.releaseIds) acc.claimed.add(id);
      }
      const batchRow = {
        batchId,
        fileId,
        tenantId,
        windowId: window.id,
        objectKey,
        batchNumber: b.header.batchNumber,
        secCode: b.header.secCode,
        effectiveEntryDate: b.header.effectiveEntryDate,
        entryCount: b.entries.length,
        totalCreditMinor: b.control.totalCreditCents,
        totalDebitMinor: b.control.totalDebitCents,
        closedAtMs: cutoffMs,
      };
      plan.emit(batchId, tenantId, NEW_CHAIN, cutoffMs, [
        {
          type: 'AchBatchClosed',
          eventId: deterministicId('evt', batchId, 'closed'),
          payload: {
            batchId,
            fileId,
            windowId: window.id,
            objectKey,
            entryCount: b.entries.length,
            totalCreditMinor: b.control.totalCreditCents,
            totalDebitMinor: b.control.totalDebitCents,
            currency: ACH_CURRENCY,
            payoutIds,
            fileSha256,
          },
        },
      ]);
      plan.put(BATCHES, batchRow, 1);
      fileEntries += b.entries.length;
      fileCreditMinor += b.control.totalCreditCents;
    }
    plan.put(
      FILES,
      {
        fileId,
        tenantId,
        windowId: window.id,
        objectKey,
        fileSha256,
        batchIds,
        entryCount: fileEntries,
        totalCreditMinor: fileCreditMinor,
        fileIdModifier: built.fileHeader.fileIdModifier,
        closedAtMs: cutoffMs,
      },
      1,
    );
    files.push({ fileId, tenantId, batchIds, entryCount: fileEntries, totalCreditMinor: fileCreditMinor });
  }

  const summary = {
    windowId: window.id,
    status: 'closed',
    early: target.early,
    cutoffMs,
    payouts: plans.length,
    files,
  };
  plan.put(
    WINDOWS,
    {
      ...summary,
      windowId: scope === null ? window.id : closeKey(window, scope),
      commandId: plan.commandId,
    },
    1,
  );
  return { summary, nextTrace };
}

/** The WINDOWS key of a window closed by one tenant's admin. */
export function closeKey(w: SubmissionWindow, tenantId: string): string {
  return `${w.id}#${tenantId}`;
}

/**
 * File ID modifier index for a tenant close: counted down from the last modifier (9) so it does
 * not meet the platform closes', which count up from A by window and tenant.
 */
function tenantFileIndex(files: { date: string; count: number }, date: string): number {
  if (files.date !== date) {
    files.date = date;
    files.count = 0;
  }
  files.count += 1;
  return MODIFIER_COUNT - files.count;
}

export function achFileAad(fileId: string): string {
  return `paystream:ach-file:v1:${fileId}`;
}

async function planSettlements(
  deps: CloseDeps,
  plan: Plan,
  upToMs: number,
  scope: string | null,
): Promise<number> {
  const due = (
    (await queryAll(deps.engines.readStore, PAYOUTS, {
      index: 'unsettled',
      pk: 'in_transit',
      range: { lte: upToMs },
      max: MAX_SETTLEMENTS_PER_COMMAND,
    })) as unknown as PayoutRow[]
  ).filter((p) => scope === null || p.tenantId === scope);
  for (const p of due) {
    const eventId = deterministicId('evt', p.payoutId, 'settled');
    const entry = journalEntry({
      sourceEventId: eventId,
      description: `ACH payout ${p.payoutId} settled on ${p.effectiveDate}`,
      postings: [
        debit(LEDGER.achInTransit, p.amountMinor, p.currency),
        credit(LEDGER.bankOperating, p.amountMinor, p.currency),
      ],
    });
    const { head } = plan.emit(
      p.payoutId,
      p.tenantId,
      { version: p.chainVersion, hash: p.chainHash },
      p.settleAtMs,
      [{ type: 'JournalEntryPosted', eventId, payload: { ...entry, postings: [...entry.postings] } }],
    );
    const { unsettled: _wasUnsettled, ...rest } = p;
    const row: PayoutRow = {
      ...rest,
      status: 'settled',
      chainVersion: head.version,
      chainHash: head.hash,
    };
    plan.put(PAYOUTS, row, head.version);
  }
  return due.length;
}
