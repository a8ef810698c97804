// The operator console in real Chromium (Debian's package, driven by playwright-core) against
// a seeded demo day running in this process: sign in, the overview's counts against the API's,
// a review approved and then held, an escrow released and the provider's available balance
// moving, a NACHA file downloaded by an admin, a read-only key seeing no admin page or action,
// and not one console error or CSP violation on any page.

import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, findChromium, launchChromium, type SeededDay, seedDemoDay } from './harness.js';

const chromiumPath = findChromium();
if (chromiumPath === null && process.env.CI) throw new Error(`CI: ${CHROMIUM_MISSING}`);
if (chromiumPath === null) console.warn(`skipping the console browser tests: ${CHROMIUM_MISSING}`);

type Json = Record<string, unknown>;

describe.skipIf(chromiumPath === null)('operator console in Chromium', () => {
  let day: SeededDay;
  let browser: Browser;
  const problems: string[] = [];

  const api = async (path: string, key = day.apiKey): Promise<Json> => {
    const res = await fetch(`${day.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Json;
  };

  /** A fresh browser context signed in with `key`, its console errors collected. */
  async function signedIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    await page.goto(`${day.url}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    return { context, page };
  }

  async function open(page: Page, hash: string): Promise<void> {
    await page.goto(`${day.url}/console/${hash}`);
    await page.locator('main .page').waitFor();
  }

  const text = async (page: Page, selector: string) =>
    (await page.locator(selector).first().textContent())?.trim();

  beforeAll(async () => {
    day = await seedDemoDay(300, 42);
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await day?.stop();
  }, 60_000);

  it('serves the console with a strict CSP and refuses a wrong key', async () => {
    const res = await fetch(`${day.url}/console/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style>| style=/);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${day.url}/console/`);
    await page.getByLabel('API key').fill('psk_not_a_key_at_all_0000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    expect(await context.cookies()).toEqual([]);
    await context.close();
  }, 60_000);

  it('signs in and shows the same counts as the API', async () => {
    const { context, page } = await signedIn(day.apiKey);
    const overview = await api('/v1/console/overview?range=day');
    const from = new Date(Date.parse(String(overview.from))).toISOString();
    const costs = await api(`/v1/analytics/costs?from=${encodeURIComponent(from)}&limit=1`);
    const queue = (await api('/v1/console/review-queue')).data as Json[];
    expect(Number((await text(page, '[data-testid=kpi-payments] .kpi-value'))?.replaceAll(',', ''))).toBe(
      costs.payments,
    );
    expect(await text(page, '[data-testid=kpi-payments] .kpi-value')).toBe(String(overview.payments));
    expect(await text(page, '[data-testid=kpi-captured] .kpi-value')).toBe(String(overview.captured));
    expect(await text(page, '[data-testid=kpi-review] .kpi-value')).toBe(String(queue.length));
    const totals = costs.totals as Record<string, number>;
    const saving = totals.processorBaselineMinor! - totals.ourCostMinor!;
    expect(totals.savingMinor).toBe(saving);
    expect(await text(page, '[data-testid=saving]')).toBe(
      `$${Math.floor(saving / 100).toLocaleString('en-US')}.${String(saving % 100).padStart(2, '0')}`,
    );
    expect(await text(page, '[data-testid=trial-balance]')).toContain('balanced');
    await context.close();
  }, 60_000);

  it('updates the overview live while payments flow', async () => {
    const { context, page } = await signedIn(day.apiKey);
    const shown = async () =>
      Number((await text(page, '[data-testid=kpi-payments] .kpi-value'))?.replaceAll(',', ''));
    const before = await shown();
    const post = async (path: string, body: Json, key: string) => {
      const res = await fetch(`${day.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${day.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBeLessThan(300);
      return (await res.json()) as Json;
    };
    const card = await post(
      '/v1/payment-methods/cards',
      { customerId: 'cus_live_console', number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' },
      'console-live-card',
    );
    await post(
      '/v1/payments',
      {
        amount: 4_200,
        currency: 'USD',
        customerId: 'cus_live_console',
        providerId: 'prv_0',
        paymentMethodId: card.id,
      },
      'console-live-payment',
    );
    // No reload: the page polls every 5 s.
    await expect.poll(shown, { timeout: 20_000, interval: 500 }).toBe(before + 1);
    await context.close();
  }, 60_000);

  it('approves a payment in review, confirmed once, and then sees it held', async () => {
    const queue = (await api('/v1/console/review-queue')).data as Json[];
    expect(queue.length).toBeGreaterThan(0);
    const target = queue[0]!;
    const { context, page } = await signedIn(day.apiKey);
    await open(page, '#/review');
    await page.getByRole('button', { name: `Approve ${target.id}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Note for the audit trail').fill('checked with the customer by phone <b>ok</b>');
    await dialog.getByRole('button', { name: 'Approve payment' }).click();
    await expect
      .poll(
        () =>
          page
            .getByRole('status')
            .filter({ hasText: String(target.id) })
            .textContent(),
        { timeout: 20_000 },
      )
      .toContain('now held');
    const after = await api(`/v1/payments/${target.id}`);
    expect(after.status).toBe('held');
    const history = (await api(`/v1/audit/events?aggregateId=${target.id}`)).events as Json[];
    expect(history.filter((e) => e.type === 'ReviewApproved')).toHaveLength(1);
    // The note is shown as text wherever it appears, never as markup.
    await open(page, `#/payments/${target.id}`);
    expect(await page.locator('main b').count()).toBe(0);
    await context.close();
  }, 60_000);

  it('releases an escrow and the provider’s available balance goes up by the net', async () => {
    const held = ((await api('/v1/payments?status=held&limit=100')).data as Json[]).find(
      (p) => (p.amounts as Json).held === p.amount,
    )!;
    expect(held).toBeDefined();
    const provider = String(held.providerId);
    const before = (await api(`/v1/providers/${provider}/balance`)).available as number;
    const { context, page } = await signedIn(day.apiKey);
    await open(page, '#/escrows');
    await page.locator(`a[data-escrow="${held.escrowId}"]`).click();
    await page.getByRole('button', { name: 'Release…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Released' }).count(), { timeout: 20_000 })
      .toBe(1);
    const escrow = await api(`/v1/escrows/${held.escrowId}`);
    const net = (escrow.released as number) - (escrow.fees as number);
    expect(net).toBeGreaterThan(0);
    await expect
      .poll(async () => (await api(`/v1/providers/${provider}/balance`)).available, { timeout: 20_000 })
      .toBe(before + net);
    await open(page, '#/providers');
    const shown = await text(page, `[data-testid="available-${provider}"]`);
    const after = before + net;
    expect(shown).toBe(
      `$${Math.floor(after / 100).toLocaleString('en-US')}.${String(after % 100).padStart(2, '0')}`,
    );
    await context.close();
  }, 60_000);

  it('lets an admin download a NACHA file', async () => {
    const batches = (await api('/v1/ach/batches')).data as Json[];
    expect(batches.length).toBeGreaterThan(0);
    const { context, page } = await signedIn(day.apiKey);
    await open(page, '#/providers');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`button[data-download="${batches[0]!.id}"]`).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^achfile_[0-9a-f]+\.ach$/);
    const file = await readFile((await download.path())!, 'ascii');
    const lines = file.split(/\r?\n/).filter(Boolean);
    expect(lines[0]!.startsWith('101')).toBe(true); // file header record
    for (const l of lines) expect(l).toHaveLength(94);
    await context.close();
  }, 60_000);

  it('shows a read-only key no admin page and no action', async () => {
    const { context, page } = await signedIn(day.readKey);
    expect(
      await page
        .getByRole('navigation')
        .getByRole('link', { name: /Infrastructure/ })
        .count(),
    ).toBe(0);
    await page.goto(`${day.url}/console/#/infrastructure`);
    await expect.poll(() => page.locator('main').textContent()).toContain('needs an admin key');
    for (const [hash, forbidden] of [
      ['#/review', /Approve|Decline/],
      ['#/providers', /Download|Close ACH window/],
      ['#/ledger', /Verify audit chain/],
    ] as const) {
      await open(page, hash);
      expect(await page.getByRole('button', { name: forbidden }).count(), hash).toBe(0);
    }
    const held = ((await api('/v1/payments?status=held&limit=1')).data as Json[])[0]!;
    await open(page, `#/escrows/${held.escrowId}`);
    expect(await page.getByRole('button', { name: /Release|Refund|dispute/ }).count()).toBe(0);
    // And the API refuses what the console does not offer.
    const res = await fetch(`${day.url}/v1/console/infrastructure`, {
      headers: { authorization: `Bearer ${day.readKey}` },
    });
    expect(res.status).toBe(403);
    await context.close();
  }, 60_000);

  it('visits every page at 1280 px and on a phone without a console error', async () => {
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const { context, page } = await signedIn(day.apiKey);
      await page.setViewportSize(viewport);
      const held = ((await api('/v1/payments?status=held&limit=1')).data as Json[])[0]!;
      for (const hash of [
        '#/overview',
        '#/payments',
        `#/payments/${held.id}`,
        '#/review',
        '#/escrows',
        `#/escrows/${held.escrowId}`,
        '#/providers',
        '#/ledger',
        '#/infrastructure',
      ]) {
        await open(page, hash);
        expect(await page.locator('main h1').count(), hash).toBe(1);
        // Nothing wider than the screen but the scrollable tables.
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        expect(overflow, `${hash} at ${viewport.width}px`).toBeLessThanOrEqual(0);
      }
      await open(page, '#/ledger');
      await page.getByRole('button', { name: 'Verify audit chain' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('chain intact');
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
